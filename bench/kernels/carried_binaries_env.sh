# bench/kernels/carried_binaries_env.sh — sourced (not run) by the device scripts that use rwkvkit
# binaries built on the build machine and carried (run_profile, run_elementwise_ab, run_fit,
# run_fuse_ab): unpacks the carried .devdeps Debian packages once into /opt/devdeps, puts their
# libraries (and .gpubench-libs) on LD_LIBRARY_PATH, links /work/main to this checkout (the
# binaries' compiled-in paths point there) and names the carried vocab.
DD=/opt/devdeps
if [ ! -d $DD/usr ]; then mkdir -p $DD; for f in .devdeps/*.deb; do dpkg -x "$f" $DD; done; fi
export LD_LIBRARY_PATH=$DD/usr/lib/x86_64-linux-gnu/openblas-pthread:$DD/usr/lib/x86_64-linux-gnu:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}:$PWD/.gpubench-libs
[ -e /work/main ] || { mkdir -p /work && ln -sfn "$PWD" /work/main; }
export RWKVKIT_VOCAB=$PWD/.rwkvkit/vocab/rwkv_vocab_v20230424.txt
