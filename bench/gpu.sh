#!/usr/bin/env bash
# The checks a machine with an NVIDIA GPU runs, in order of importance, each under its own time
# limit so that one slow part cannot hide the others:
#   1. every device-parametrised test, on cuda only (CI already runs them on the CPU);
#   2. bench/hessian.py on the GPU (with its reference assemblies) and bench/train.py;
#   2b. bench/critical.py on the GPU: dense-eigh against matrix-free (MINRES-QLP) Newton-MR at
#      1,090 and 5,898 parameters, certified critical points per minute;
#   3. the smoke pipeline (tests/smoke.yaml: the whole DAG at tiny sizes) with `device: cuda`,
#      its tables packed for comparison with a CPU run; with FULL=1, the default pipeline instead
#      (about 16 minutes of CPU work on 2 cores: give it PIPELINE_LIMIT seconds).
# Usage, from the repository root: bench/gpu.sh [OUTDIR]   (PY=... picks the interpreter)
# Each step's output goes to OUTDIR/<step>.log; the script exits non-zero if any step failed.
set -u
PY=${PY:-python3}
OUT=${1:-results/bench/gpu}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
status=0

step() { # step NAME SECONDS CMD...: run CMD under a time limit, log it, remember a failure
    local name=$1 limit=$2
    shift 2
    echo "=== $name (limit ${limit}s) $(date -u +%T)"
    local start=$SECONDS
    timeout "$limit" "$@" >"$OUT/$name.log" 2>&1
    local rc=$?
    tail -n 25 "$OUT/$name.log"
    echo "=== $name: exit $rc after $((SECONDS - start)) s"
    [ "$rc" -eq 0 ] || status=1
}

nvidia-smi -L
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda,
      torch.cuda.get_device_name(), torch.get_num_threads(), 'threads')" || exit 1

step pytest_cuda 150 "$PY" -m pytest -q -p no:cacheprovider -n 8 -k cuda tests
step bench_hessian_cuda 150 "$PY" bench/hessian.py --no-cpu --cuda-references \
    --sizes 27 66 133 --wait-quiet 0 --retry-busy 0 --child-timeout 100 \
    --out "$OUT/hessian_cuda.csv"
step bench_train_cuda 60 "$PY" bench/train.py --device cuda --out "$OUT/train_cuda.csv"
step bench_critical_cuda 240 "$PY" bench/critical.py --device cuda --sizes 40 64,64 \
    --iterations 300 --minres-maxiter 50
cp results/bench/critical_cuda.csv "$OUT/" 2>/dev/null
if [ "${FULL:-0}" = 1 ]; then
    step pipeline_cuda "${PIPELINE_LIMIT:-900}" "$PY" -m snakemake --cores all --config device=cuda
else
    step pipeline_cuda "${PIPELINE_LIMIT:-150}" "$PY" -m snakemake --cores all \
        --configfile tests/smoke.yaml --config device=cuda
fi
tar czf "$OUT/pipeline_cuda_results.tgz" results/tables results/scorecard.csv results/logs
exit $status
