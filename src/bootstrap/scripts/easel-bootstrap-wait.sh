#!/bin/bash
# Run by the node's CustomScript extension: waits for easel-bootstrap's outcome, so that the
# extension's state (visible through ARM, also for private clusters) is the bootstrap's. On
# failure it exits non-zero with the tail of the bootstrap log on stderr.
state=/run/easel
log=/var/log/easel-bootstrap.log
limit=1800
for ((waited = 0; waited < limit; waited += 5)); do
  if [ -f "$state/bootstrap-success.complete" ]; then
    tail -n 5 "$log"
    exit 0
  fi
  if [ -f "$state/bootstrap-failed" ]; then
    echo "easel-bootstrap failed at step $(cat "$state/bootstrap-failed")" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  sleep 5
done
echo "easel-bootstrap: no bootstrap marker after $limit s" >&2
tail -n 40 "$log" >&2 2>/dev/null || echo "no bootstrap log: cloud-init did not run easel-bootstrap" >&2
exit 1
