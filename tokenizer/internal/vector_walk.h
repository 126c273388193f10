// tokenizer/internal/vector_walk.h — the greedy walk of many segments at once, one per SIMD lane.
//
// One source (Google Highway) compiled for every instruction set of the build's architecture
// (x86: SSE4, AVX2, AVX-512; Arm: NEON, SVE, SVE2; ...), the best one the CPU has chosen at run
// time (HWY_DYNAMIC_DISPATCH). Each lane walks its own segment of the text with the step of
// walk.h: per step one gather probes the child cell, one fetches the next bytes and one the
// depth-1 cell where the next token would start, so the only chain of dependent loads is the
// probe. Every token a lane finishes is appended to one stream as (cell index | lane << 17);
// vector_encode.h sorts the stream by lane and stitches the segments.
//
// Thread-safe: no state. Depends on Highway and the standard library.
#ifndef RWKVKIT_TOKENIZER_INTERNAL_VECTOR_WALK_H_
#define RWKVKIT_TOKENIZER_INTERNAL_VECTOR_WALK_H_

#include <cstddef>
#include <cstdint>

namespace rwkvkit::tokenizer::internal {

// Bits of a stream entry that hold the cell index; the lane is above them.
inline constexpr int kLaneShift = 17;

// VectorWalkLanes()
// Lanes (segments walked at once) of the instruction set chosen for this CPU; 0 where the
// vector walk does not pay (no SIMD, or SIMD without fast gathers): callers then take the
// scalar segmented walk. Follows hwy::SetSupportedTargetsForTest(), which tests and benchmarks
// use to run each instruction set on one machine.
size_t VectorWalkLanes();
// Name of that instruction set (Highway's: "AVX3", "AVX2", "NEON", "SVE", ...).
const char* VectorWalkTarget();

// WalkVectorSegments()
// Walks segment k = [seg_begin[k], seg_end[k]) (positions in s) on lane k, for k < nseg <=
// VectorWalkLanes(); both arrays hold VectorWalkLanes() entries. A lane emits every token
// that starts in its segment (the last one ends at or past seg_end[k]) and stops. Requires
// s[0 .. read_end) readable, with read_end >= seg_end[k] + max_token_bytes + 8 for every k
// and below 2^31, and the cells of a DoubleArrayTrie. Appends the entries to `stream` (room
// for the segments' bytes plus 256) and returns how many.
size_t WalkVectorSegments(const uint32_t* cells, const uint8_t* s, size_t read_end, const uint32_t* seg_begin,
                          const uint32_t* seg_end, size_t nseg, uint32_t* stream);

}  // namespace rwkvkit::tokenizer::internal

#endif  // RWKVKIT_TOKENIZER_INTERNAL_VECTOR_WALK_H_
