// tokenizer/internal/vector_walk.h — the greedy walk of many segments at once, one per SIMD lane.
//
// One source (Google Highway) compiled for every instruction set of the build's architecture
// (x86: SSE4, AVX2, AVX-512; Arm: NEON, SVE, SVE2; ...), the best one the CPU runs chosen at
// run time (CPUID / the Linux hwcaps, once). Highway is used as headers only: linking its
// library costs every process ~2-8 ms at start (its static initializer measures the timer),
// which is why its HWY_DYNAMIC_DISPATCH is not used. Each lane walks its own segment of the text with the step of
// walk.h: per step one gather probes the child cell, one fetches the next bytes and one the
// node where the next token would start (at depth 2 where its first two bytes are a token),
// so the only chain of dependent loads is the probe. Every token a lane finishes is appended
// to one stream as (cell index | output slot << 17); vector_encode.h puts each token's id in
// its slot and stitches the segments.
//
// Thread-safe (the chosen instruction set is an atomic). Depends on Highway's headers and the
// standard library.
#ifndef RWKVKIT_TOKENIZER_INTERNAL_VECTOR_WALK_H_
#define RWKVKIT_TOKENIZER_INTERNAL_VECTOR_WALK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rwkvkit::tokenizer::internal {

// Bits of a stream entry that hold the cell index; the token's output slot is above them.
inline constexpr int kLaneShift = 17;

// VectorWalkLanes()
// Lanes (segments walked at once) of the instruction set chosen for this CPU; 0 where there
// is no SIMD walk: callers then take the scalar segmented walk.
size_t VectorWalkLanes();
// Name of that instruction set (Highway's: "AVX3", "AVX2", "SSE4", "NEON", "SVE", ...).
const char* VectorWalkTarget();

// The instruction sets compiled in that this CPU runs, best first (the last one, the build's
// baseline, may have no SIMD walk).
std::vector<std::string> VectorWalkTargetsOnThisCpu();
// UseVectorWalkTarget()
// Makes every thread walk with the named instruction set from now on (one of
// VectorWalkTargetsOnThisCpu()), or with the best one again for ""; false for a name this
// CPU cannot run. For tests and benchmarks, which compare the instruction sets on one
// machine; not while other threads encode.
bool UseVectorWalkTarget(std::string_view name);

// WalkVectorSegments()
// Walks segment k = [seg_begin[k], seg_end[k]) (positions in s; the segments tile a chunk
// of under 2^15 bytes that starts at seg_begin[0]) on lane k, for k < nseg <=
// VectorWalkLanes(); the four arrays hold VectorWalkLanes() entries. A lane emits every
// token that starts in its segment, stops after the one that ends at or past seg_end[k],
// sets seg_stop[k] to where that token ends and seg_count[k] to how many it emitted.
// Requires s[0 .. read_end) readable, with read_end >= seg_end[k] + max_token_bytes + 8 for
// every k and below 2^31, and the arrays of a DoubleArrayTrie. Appends the tokens to
// `stream` (room for the segments' bytes plus 256) as cell index | slot << kLaneShift, in
// no useful order, where the slots of segment k's tokens, in order, are seg_begin[k] -
// seg_begin[0] + 0, 1, ...; returns how many.
size_t WalkVectorSegments(const uint32_t* cells, const uint32_t* restarts, const uint8_t* s, size_t read_end,
                          const uint32_t* seg_begin, const uint32_t* seg_end, size_t nseg, uint32_t* seg_stop,
                          uint32_t* seg_count, uint32_t* stream);

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_VECTOR_WALK_H_
