// corpus/build/work_files.h — the names of the files phase 1 leaves in a build's work directory.
//
// One name each for the code that writes a file and every code that reads it: the one-process
// build (pipeline.cc, its stages, the token store, near dedup, the checkpoint, the shard stage)
// and the split build's tasks (corpus/tasks), whose read task runs phase 1 into its own task
// directory and whose later tasks read these files there. docs/corpus_pipeline.md lists them
// all (its output directory); docs/scale_out.md the split build's fingerprint.txt.
#ifndef RWKVKIT_CORPUS_BUILD_WORK_FILES_H_
#define RWKVKIT_CORPUS_BUILD_WORK_FILES_H_

namespace rwkvkit::corpus::build {

inline constexpr char kFingerprintFile[] = "fingerprint.txt";  // the inputs and options of the build it is for
inline constexpr char kTokensFile[] = "tokens.u16";         // token store: the ids (spill_store.h)
inline constexpr char kDocsFile[] = "docs.u64";             // token store: each document's end offset
inline constexpr char kSpillDoneFile[] = "spill.done";      // token store finished: its document count
inline constexpr char kDocsMetaLog[] = "docs_meta.log";     // DocMeta per stored document, while reading
inline constexpr char kDedupKeysLog[] = "dedup_keys.u128";  // exact-dedup keys, in insertion order
inline constexpr char kSignaturesFile[] = "signatures.u64";  // near dedup: MinHash signatures
inline constexpr char kNearDocsFile[] = "near_docs.u64";    // near dedup: tokens, bytes, file, line per document
inline constexpr char kCheckpointFile[] = "phase1.checkpoint";  // phase1_checkpoint.h
inline constexpr char kDocsMetaFile[] = "docs_meta.u32";    // DocMeta per stored document, at phase 1's end
inline constexpr char kPhase1JsonFile[] = "phase1.json";    // phase 1's part of build.json (build_json.h)
inline constexpr char kDedupReportFile[] = "dedup_report.jsonl";  // the staged --dedup-report
inline constexpr char kDropReportFile[] = "drop_report.jsonl";    // the staged --drop-report

}  // namespace rwkvkit::corpus::build

#endif  // RWKVKIT_CORPUS_BUILD_WORK_FILES_H_
