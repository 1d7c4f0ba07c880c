#!/usr/bin/env bash
# The study's models on a GPU machine with internet access: for each model, build its pinned
# environment (`act2answer env create MODEL --gpu`), download its weights, serve it with the
# study's arguments, and evaluate 20 items in both layouts (40 episodes) at batch 1, 8 and 32
# (simulator workers = batch), printing success, actions/s and peak GPU memory.
#
# Not run by CI and not runnable on a CPU machine: it needs CUDA, the hub and several GB per
# model. No figures from it are recorded yet (issue 20: "not measured").
#
# Usage: benchmarks/study_models_gpu.sh [MODEL ...]     (default: every model of `env list`
#        except internvla-m1, whose upstream repository and checkpoint must be given as
#        INTERNVLA_REPO=/path/to/InternVLA-M1 INTERNVLA_CKPT=/path/to/steps_50000_pytorch_model.pt)
# Environment: ENVS (default ./envs), OUT (default ./runs/study-gpu), PYTHON (default python3),
#              BATCHES (default "1 8 32"), ITEMS (default 20).
set -euo pipefail

ENVS=${ENVS:-envs}
OUT=${OUT:-runs/study-gpu}
PYTHON=${PYTHON:-python3}
BATCHES=${BATCHES:-"1 8 32"}
ITEMS=${ITEMS:-20}
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  MODELS=(openvla spatialvla magma xiaomi-r0 smolvla pi0)
  if [ -n "${INTERNVLA_CKPT:-}" ]; then MODELS+=(internvla-m1); fi
fi
mkdir -p "$OUT"

# A 20-item suite (Color and Shape categories); each item runs in both layouts.
SUITE="$OUT/suite"
if [ ! -f "$SUITE/suite.jsonl" ]; then
  act2answer synth --out "$SUITE" --per-category $((ITEMS / 2)) --categories Color --categories Shape --seed 0
fi

recipe() {  # recipe MODEL FIELD -> the field of act2answer.model_envs.MODEL_ENVS[MODEL]
  "$PYTHON" -c "import json, sys; from act2answer.model_envs import model_env; \
e = model_env(sys.argv[1]); print(json.dumps(getattr(e, sys.argv[2])) if sys.argv[2] == 'serve_args' else getattr(e, sys.argv[2]))" "$1" "$2"
}

for MODEL in "${MODELS[@]}"; do
  PREFIX="$ENVS/$MODEL"
  ADAPTER=$(recipe "$MODEL" adapter)
  ARGS=$(recipe "$MODEL" serve_args)
  if [ "$MODEL" = internvla-m1 ]; then
    ARGS=$("$PYTHON" -c "import json, sys; a = json.loads(sys.argv[1]); a['model_path'] = sys.argv[2]; print(json.dumps(a))" "$ARGS" "$INTERNVLA_CKPT")
  fi
  echo "=== $MODEL ($ADAPTER) $ARGS"
  if [ ! -x "$PREFIX/bin/act2answer" ]; then
    act2answer env create "$MODEL" --prefix "$PREFIX" --gpu
    if [ "$MODEL" = internvla-m1 ]; then
      "$PREFIX/bin/python" -m pip install -r "$INTERNVLA_REPO/requirements.txt"
      "$PREFIX/bin/python" -m pip install -e "$INTERNVLA_REPO" --no-deps
    fi
  fi
  WEIGHTS=$("$PYTHON" -c "import json, sys; print(json.loads(sys.argv[1]).get('model_path', ''))" "$ARGS")
  if [ -n "$WEIGHTS" ] && [ ! -e "$WEIGHTS" ]; then
    "$PREFIX/bin/python" -c "import sys; from huggingface_hub import snapshot_download; print(snapshot_download(sys.argv[1]))" "$WEIGHTS"
  fi
  for BATCH in $BATCHES; do
    PORT=$((8100 + BATCH))
    RUN="$OUT/$MODEL-b$BATCH"
    "$PREFIX/bin/act2answer" serve --policy "$ADAPTER" --policy-args "$ARGS" --port "$PORT" \
      --max-batch "$BATCH" > "$OUT/$MODEL-b$BATCH-server.log" 2>&1 &
    SERVER=$!
    until curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null; do
      kill -0 "$SERVER" 2>/dev/null || { echo "server of $MODEL died: $OUT/$MODEL-b$BATCH-server.log"; exit 1; }
      sleep 5
    done
    PEAK="$OUT/$MODEL-b$BATCH-memory.txt"
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 500 > "$PEAK" &
    SMI=$!
    START=$(date +%s)
    act2answer run --policy "openpi://127.0.0.1:$PORT" --suite "$SUITE" --out "$RUN" \
      --workers "$BATCH" --max-batch "$BATCH"
    END=$(date +%s)
    kill "$SMI" "$SERVER"; wait "$SERVER" 2>/dev/null || true
    "$PYTHON" - "$RUN" "$PEAK" "$MODEL" "$BATCH" "$((END - START))" <<'PY'
import json, sys
from pathlib import Path
run, peak, model, batch, wall = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
metrics = json.loads((run / "metrics.json").read_text())
overall = metrics["overall"]
timing = metrics.get("timing") or {}
if isinstance(timing, list):
    timing = timing[-1] if timing else {}
steps = timing.get("steps")
memory = [int(line) for line in peak.read_text().split() if line.strip().isdigit()]
print(
    f"{model} batch {batch}: success {overall.get('success_rate')} over {overall.get('episodes')} episodes, "
    f"actions/s {timing.get('steps_per_s') or (steps / wall if steps else 'n/a')}, "
    f"peak GPU memory {max(memory) if memory else 'n/a'} MiB, wall {wall:.0f} s"
)
PY
  done
done
