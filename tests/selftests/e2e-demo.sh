#!/bin/bash
# The main job's scenario (demo/run) as an end-to-end test: controller, three clusters with
# sliced, kubectl, CNI-attached pods, an exported service found by its slice.local name.
exec "$(dirname "$0")/../../demo/scenario" --clusters 3 --ktap
