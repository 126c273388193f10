// refmodel/checkpoint/internal/json_error_offset.h — where a JSON text that simdjson's DOM
// parser refused goes wrong, as a byte offset, so that the safetensors reader can name it
// (`file@offset: ...`). The DOM parser reports only an error code; this walks the text once
// more with simdjson's On-Demand API, visiting every value, and returns where it stopped.
// Call it only on a text the DOM parser refused. Thread-safe: pure function.
#ifndef RWKVKIT_REFMODEL_CHECKPOINT_INTERNAL_JSON_ERROR_OFFSET_H_
#define RWKVKIT_REFMODEL_CHECKPOINT_INTERNAL_JSON_ERROR_OFFSET_H_

#include <cstddef>
#include <string_view>

namespace rwkvkit::refmodel::checkpoint {

// JsonErrorOffset()
// The offset in `text` of the first byte the On-Demand walk could not take, or of the end of
// the text when the error lies there (truncation). Errors found while indexing: the first
// byte that is not well-formed UTF-8, the opening quote of a string that never closes, else
// 0. Nesting beyond `max_depth` is an error, as for the DOM parser.
size_t JsonErrorOffset(std::string_view text, size_t max_depth);

}  // namespace rwkvkit::refmodel::checkpoint

#endif  // RWKVKIT_REFMODEL_CHECKPOINT_INTERNAL_JSON_ERROR_OFFSET_H_
