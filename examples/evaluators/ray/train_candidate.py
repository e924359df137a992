"""Runs on a Ray worker (submitted by ray-eval.sh): decodes the candidate, trains/measures it briefly, and prints
one line "LLM_NAS_RESULT {json}" with {"accuracy": float, "metrics": {name: float}}.

Replace build_and_train() with your own: build the model from spec["spec"] (the space's JSON form), train a few
epochs, measure latency on the target, and return the numbers.
"""
import argparse
import base64
import json
import time


def build_and_train(req):
    # placeholder measurement so the wiring can be tested end to end on a cluster
    f = req.get("features", {})
    t0 = time.time()
    accuracy = 90.0 - 1.0 / (1.0 + f.get("params_k", 1.0))
    metrics = {m: 1.0 + 0.05 * f.get("macs_m", 1.0) for m in req["metrics"]}
    metrics.setdefault("train_seconds", time.time() - t0)
    return {"accuracy": accuracy, "metrics": metrics}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec-b64", required=True)
    req = json.loads(base64.b64decode(ap.parse_args().spec_b64))
    print("LLM_NAS_RESULT " + json.dumps(build_and_train(req)), flush=True)


if __name__ == "__main__":
    main()
