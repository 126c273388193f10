// refmodel/checkpoint/checkpoint_reader.h — read every tensor of a checkpoint file into a
// TensorSet: an official .pth (torch.save zip + pickle, no PyTorch) or a .safetensors file,
// told apart by content. Hugging Face RWKV-5/6 names ("rwkv.blocks.0.attention.key.weight")
// are mapped to the BlinkDL names ("blocks.0.att.key.weight") here (docs/formats/checkpoints.md).
//
// Does not convert or check shapes against a model (see InferConfig and LoadModel). The file
// is mmapped and the TensorSet keeps the mapping. Thread-safe: pure functions.
#ifndef RWKVKIT_REFMODEL_CHECKPOINT_CHECKPOINT_READER_H_
#define RWKVKIT_REFMODEL_CHECKPOINT_CHECKPOINT_READER_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "refmodel/checkpoint/tensor.h"

namespace rwkvkit::refmodel {

// ReadCheckpoint()
// kNotFound for a missing file; kDataLoss "path@offset: ..." for truncated or corrupt data;
// kUnimplemented for an unknown pickle opcode, a compressed zip entry or a big-endian file.
absl::StatusOr<TensorSet> ReadCheckpoint(const std::filesystem::path& path);

// The same on bytes already in memory; `path` is used in messages only.
absl::StatusOr<TensorSet> ReadCheckpointBytes(const std::string& path,
                                              std::shared_ptr<const FileBytes> file);

// ReadPth() / ReadSafetensors(): one format each (ReadCheckpointBytes picks by content).
absl::StatusOr<TensorSet> ReadPth(const std::string& path, std::shared_ptr<const FileBytes> file);
absl::StatusOr<TensorSet> ReadSafetensors(const std::string& path, std::shared_ptr<const FileBytes> file);

// BlinkDL name for a Hugging Face RWKV name (docs/formats/checkpoints.md), or the name unchanged when it is not
// one: "rwkv.embeddings.weight" -> "emb.weight", "rwkv.blocks.0.pre_ln.*" -> "blocks.0.ln0.*",
// ".attention." -> ".att.", ".feed_forward." -> ".ffn.", other "rwkv." names lose the prefix.
std::string BlinkDlName(const std::string& hf_name);

}  // namespace rwkvkit::refmodel

#endif  // RWKVKIT_REFMODEL_CHECKPOINT_CHECKPOINT_READER_H_
