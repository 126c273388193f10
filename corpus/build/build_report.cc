// corpus/build/build_report.cc — see build_report.h.
#include "corpus/build/build_report.h"

namespace rwkvkit::corpus::build {

void SourceCounts::Add(const SourceCounts& o) {
  files += o.files;
  documents_read += o.documents_read;
  documents_kept += o.documents_kept;
  documents_written += o.documents_written;
  for (const auto& [r, n] : o.dropped) dropped[r] += n;
  bad_records += o.bad_records;
  for (const auto& [l, n] : o.languages) languages[l] += n;
  for (const auto& [f, reasons] : o.filter_drops)
    for (const auto& [r, n] : reasons) filter_drops[f][r] += n;
  for (const auto& [l, n] : o.languages_kept) languages_kept[l] += n;
  c4_documents_edited += o.c4_documents_edited;
  c4_lines_removed += o.c4_lines_removed;
  repairs += o.repairs;
  bytes_in += o.bytes_in;
  bytes_out += o.bytes_out;
  tokens += o.tokens;
  file_errors.insert(file_errors.end(), o.file_errors.begin(), o.file_errors.end());
}

}  // namespace rwkvkit::corpus::build
