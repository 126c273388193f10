// python/src/module.cc — the extension module rwkvkit._rwkvkit (the package rwkvkit wraps it).
#include <nanobind/nanobind.h>

#include "python/src/bindings.h"
#include "python/src/job.h"
#include "refmodel/cpu/cpu_forward.h"

NB_MODULE(_rwkvkit, m) {
  m.doc() = "rwkvkit's C++ libraries (the World tokenizer, binidx shards, the pipeline); use the rwkvkit package.";
  // The OpenBLAS the extension links started its worker threads when it was loaded; they spin
  // for ~0.1 s of a core waiting for work that never comes (rwkvkit runs BLAS on one thread).
  rwkvkit::refmodel::StopBlasThreads();
  rwkvkit::python::BindTokenizer(m);
  rwkvkit::python::BindShards(m);
  rwkvkit::python::BindShardWriter(m);
  rwkvkit::python::BindJob(m);
  rwkvkit::python::BindBuild(m);
  rwkvkit::python::BindStats(m);
  rwkvkit::python::BindEval(m);
}
