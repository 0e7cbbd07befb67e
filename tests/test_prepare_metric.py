"""A job attempt that a node fails because its storage layer cannot make an input readable
(here: an input outside the node's --storage-allow roots) is counted by the controller as
vmafx_controller_input_prepare_failures_total, the metric of the chart's
VmafxInputPrepareFailing alert; a failure while scoring (an input that is not video) is not."""
import os
import shutil
from controller_testlib import Cluster, metric
from vmafx_testlib import pair_files

PAIR = 'testsrc2_576x324_crf35'
NAME = 'vmafx_controller_input_prepare_failures_total'


def test_prepare_failures_counted(env):
    ref, dis = pair_files(env, PAIR)
    with Cluster(env, 'prepare-metric') as c:
        allowed = os.path.join(c.dir, 'allowed')
        os.makedirs(allowed)
        c.controller()
        c.node('a', '--storage-allow', allowed)
        api = c.api()
        assert metric(api.metrics(), NAME) == 0
        job = api.wait_status(api.submit(ref, dis), ('completed', 'failed'), timeout=120)
        assert job['status'] == 'failed' and 'allow' in (job['error'] or ''), job
        assert metric(api.metrics(), NAME) == 1, api.metrics()
        # inside the roots, a distorted input that is no y4m fails while scoring: not counted
        local_ref = os.path.join(allowed, 'ref.y4m')
        shutil.copyfile(ref, local_ref)
        bad = os.path.join(allowed, 'bad.y4m')
        with open(bad, 'w') as f:
            f.write('not a y4m file\n')
        job = api.wait_status(api.submit(local_ref, bad), ('completed', 'failed'), timeout=120)
        assert job['status'] == 'failed', job
        assert metric(api.metrics(), NAME) == 1, api.metrics()
