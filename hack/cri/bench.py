#!/usr/bin/python3
"""bench.py: pod start time through CRI, per runtime handler.

  bench.py --socket S --image REF --rounds N --uids FILE HANDLER:LABEL...

Each round starts one pod per handler, in an order that alternates from
round to round: RunPodSandbox, CreateContainer and StartContainer of `true`
(with kubelet's host-side preparation of the pod's directories, the same
for every handler), timed as one; the pod is then torn down as kubelet
does, untimed. Two warm-up rounds are not counted. Prints the median and
minimum of each phase and of the whole, per handler, and the ratio of the
medians of the first handler to the second. Each pod's UID is appended to
FILE (the caller removes the pods' cgroups).
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cri  # noqa: E402

WARMUP = 2


def one_pod(c, image, handler, name, uids):
    pod = cri.Pod(c, name=name, namespace="tenant-a", handler=handler)
    with open(uids, "a") as f:
        f.write(pod.uid + "\n")
    try:
        t0 = time.perf_counter()
        pod.run()
        t1 = time.perf_counter()
        cid = pod.create_container(image, name="app", command=["true"])
        t2 = time.perf_counter()
        pod.start(cid)
        t3 = time.perf_counter()
    finally:
        try:
            pod.teardown()
        except Exception as e:
            # containerd 1.6 races here: StopContainer of a container that
            # has just exited sends its kill while the exit handler deletes
            # the task and the container's shim goes away ("ttrpc: closed").
            # Seen with `true` about once in 300 pods of the hardshim
            # handler, not with plain runc, whose StartContainer returns
            # before `true` has exited. kubelet retries; so does this.
            print("bench-cri: %s: teardown: %s; once more" % (handler, str(e).splitlines()[0]),
                  file=sys.stderr)
            pod.teardown()
    return (t1 - t0, t2 - t1, t3 - t2, t3 - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--uids", required=True)
    ap.add_argument("handlers", nargs=2, metavar="HANDLER:LABEL")
    a = ap.parse_args()
    handlers = [h.split(":", 1) for h in a.handlers]
    c = cri.Client(a.socket, timeout=30)
    times = {h: [] for h, _ in handlers}
    for r in range(WARMUP + a.rounds):
        order = handlers if r % 2 == 0 else handlers[::-1]
        for h, _ in order:
            t = one_pod(c, a.image, h, "bench-%s-%d" % (h, r), a.uids)
            if r >= WARMUP:
                times[h].append(t)
    c.close()

    phases = ("RunPodSandbox", "CreateContainer", "StartContainer", "all three")
    print("%d rounds, interleaved (+%d warm-up), ms: median (min)" % (a.rounds, WARMUP))
    print("%-28s" % "" + "".join("%20s" % p for p in phases))
    med = {}
    for h, label in handlers:
        cols = []
        for i in range(len(phases)):
            v = [t[i] * 1000 for t in times[h]]
            cols.append("%8.1f (%6.1f)" % (statistics.median(v), min(v)))
        med[h] = statistics.median(t[3] for t in times[h])
        print("%-28s" % ("%s [%s]" % (label, h)) + "".join("%20s" % x for x in cols))
    (h1, l1), (h2, l2) = handlers
    print("ratio %s / %s (medians of all three): %.2fx" % (l1, l2, med[h1] / med[h2]))


if __name__ == "__main__":
    main()
