// refmodel/checkpoint/internal/printable.h — checkpoint bytes (tensor names, dtype strings,
// pickle strings, ZIP entry names) made safe to quote in an error message.
//
// A name read from a file may hold NUL, control characters or invalid UTF-8, and may be
// megabytes long; quoted raw, it cuts or garbles the one-line message that the CLI prints.
// Printable() keeps printable ASCII and valid multi-byte UTF-8, writes a backslash as "\\"
// and every other byte as "\xNN", and keeps at most `max_bytes` input bytes (then
// "...(N bytes)"). Pure function; thread-safe.
#ifndef RWKVKIT_REFMODEL_CHECKPOINT_INTERNAL_PRINTABLE_H_
#define RWKVKIT_REFMODEL_CHECKPOINT_INTERNAL_PRINTABLE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace rwkvkit::refmodel::checkpoint {

std::string Printable(std::string_view bytes, size_t max_bytes = 200);

}  // namespace rwkvkit::refmodel::checkpoint

#endif  // RWKVKIT_REFMODEL_CHECKPOINT_INTERNAL_PRINTABLE_H_
