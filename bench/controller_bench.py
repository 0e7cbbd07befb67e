#!/usr/bin/python3
"""Controller benchmark (on demand, not part of the test command).

  1. submits/s and API latency (p50/p99) with 100 concurrent keep-alive clients (wrk);
  2. GET /v1/jobs/{id} latency under the same load;
  3. lease -> complete cycles/s at the API, with trivial results (wrk playing the nodes);
  4. end to end: real vmafx-node processes scoring a 1-frame 320x240 pair.

usage: bench/controller_bench.py [--build build] [--seconds 10] [--connections 100]
Prints a Markdown table (the one in docs/performance.md). Needs wrk (scripts/setup.sh)."""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
from controller_testlib import ONE, Api, Cluster, metric, wait_until   # noqa: E402
from vmafx_testlib import pair_files                                   # noqa: E402

SUBMIT_LUA = """
wrk.method = "POST"
wrk.body = '{"reference_uri":"/data/ref.y4m","distorted_uri":"/data/dis.y4m","labels":{"bench":"submit"}}'
wrk.headers["Content-Type"] = "application/json"
"""

GET_LUA = """
wrk.method = "GET"
wrk.path = "/v1/jobs/%s"
"""

# Each wrk thread plays a node: it leases jobs (no wait) and completes the ones it holds.
CYCLE_LUA = r"""
local held = {}
local result = '{"attempt":%s,"status":"completed","report":{"json":"{\\"pooled_metrics\\":{\\"vmaf\\":{\\"mean\\":90.0}}}","xml":"<x/>","csv":"x\\n"},"models":["vmaf"]}'
local hdrs = {["Content-Type"] = "application/json"}
request = function()
  local job = table.remove(held)
  if job then
    return wrk.format("POST", "/v1/nodes/bench/jobs/" .. job[1] .. "/result", hdrs, string.format(result, job[2]))
  end
  return wrk.format("POST", "/v1/nodes/bench/lease", hdrs, '{"wait":0}')
end
response = function(status, headers, body)
  if status == 200 then
    local id, attempt = body:match('"id":"([^"]+)","attempt":(%d+)')
    if id then table.insert(held, {id, attempt}) end
  end
end
"""


def wrk(url, script, seconds, connections, tmp):
    path = os.path.join(tmp, f'script{abs(hash(script))}.lua')
    with open(path, 'w') as f:
        f.write(script)
    p = subprocess.run(['wrk', '-t2', f'-c{connections}', f'-d{seconds}s', '--latency', '-s', path, url],
                       capture_output=True, text=True, timeout=seconds + 60)
    out = p.stdout
    rps = float(re.search(r'Requests/sec:\s+([0-9.]+)', out).group(1))
    lat = dict(re.findall(r'^\s+(50|99)%\s+(\S+)$', out, re.M))
    bad = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    errors = re.search(r'Socket errors: (.*)', out)
    return {'rps': rps, 'p50': lat.get('50'), 'p99': lat.get('99'), 'non2xx': int(bad.group(1)) if bad else 0,
            'errors': errors.group(1) if errors else ''}


def api_phase(env, args, tmp, rows):
    with Cluster(env, 'bench-api') as c:
        # wrk's clients all come from 127.0.0.1: no per-client cap here
        c.controller('--log-level', 'warning', '--max-connections-per-client', '0')
        base = f'http://127.0.0.1:{c.port}'
        api = Api(c.port)
        s = wrk(base + '/v1/jobs', SUBMIT_LUA, args.seconds, args.connections, tmp)
        submitted = int(metric(api.metrics(), 'vmafx_controller_jobs_submitted_total'))
        rows.append(('submit (POST /v1/jobs)', f'{s["rps"]:.0f} submits/s', s['p50'], s['p99'],
                     f'{submitted} jobs stored; non-2xx {s["non2xx"]} {s["errors"]}'))
        jid = api.ok('GET', '/v1/jobs?limit=1')['jobs'][0]['id']
        g = wrk(base + f'/v1/jobs/{jid}', GET_LUA % jid, args.seconds, args.connections, tmp)
        rows.append(('read (GET /v1/jobs/{id})', f'{g["rps"]:.0f} requests/s', g['p50'], g['p99'],
                     f'non-2xx {g["non2xx"]}'))
        before = metric(api.metrics(), 'vmafx_controller_jobs_finished_total{state="completed"}')
        t0 = time.monotonic()
        cy = wrk(base + '/v1/nodes/bench/lease', CYCLE_LUA, args.seconds, args.connections, tmp)
        done = metric(api.metrics(), 'vmafx_controller_jobs_finished_total{state="completed"}') - before
        secs = time.monotonic() - t0
        rows.append(('lease + result cycles (API)', f'{done / secs:.0f} cycles/s', cy['p50'], cy['p99'],
                     f'{int(done)} jobs completed; {cy["rps"]:.0f} requests/s'))
        size = os.path.getsize(c.db) + sum(os.path.getsize(c.db + x) for x in ('-wal',) if os.path.exists(c.db + x))
        rows.append(('database after the run', f'{size / 1e6:.0f} MB', '', '', f'{submitted} jobs'))
        c.ctl.stop(timeout=60)


def e2e_phase(env, args, rows):
    ref, dis = pair_files(env, ONE)
    with Cluster(env, 'bench-e2e') as c:
        c.controller('--log-level', 'warning')
        api = Api(c.port)
        nodes = [c.node(f'n{i}', '--slots', str(args.slots), '--log-level', 'warning') for i in range(args.nodes)]
        time.sleep(0.5)
        t0 = time.monotonic()
        ids = [api.submit(ref, dis) for _ in range(args.jobs)]
        wait_until('all jobs', lambda: metric(api.metrics(), 'vmafx_controller_jobs_finished_total{state="completed"}')
                   >= len(ids), timeout=600, every=0.2)
        secs = time.monotonic() - t0
        rows.append((f'end to end: {args.nodes} nodes x {args.slots} slots, 1-frame 320x240 jobs',
                     f'{len(ids) / secs:.0f} jobs/s', '', '', f'{len(ids)} jobs in {secs:.1f} s'))
        for n in nodes:
            n.stop(timeout=30)
        c.ctl.stop(timeout=30)


class Env:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.shared = os.path.abspath(os.path.join(HERE, '..', '..', 'shared'))
        self.scratch = os.path.join(self.build, 'bench-scratch')
        os.makedirs(self.scratch, exist_ok=True)
        self.quick = False

    def bin(self, *parts):
        return os.path.join(self.build, *parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--seconds', type=int, default=10)
    ap.add_argument('--connections', type=int, default=100)
    ap.add_argument('--nodes', type=int, default=2)
    ap.add_argument('--slots', type=int, default=2)
    ap.add_argument('--jobs', type=int, default=400)
    args = ap.parse_args()
    if not shutil.which('wrk'):
        sys.exit('wrk is not installed: run scripts/setup.sh')
    env = Env(args.build)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        api_phase(env, args, tmp, rows)
    e2e_phase(env, args, rows)
    print(f'| what ({args.connections} concurrent clients, {args.seconds} s each) | rate | p50 | p99 | notes |')
    print('|---|---|---|---|---|')
    for r in rows:
        print('| ' + ' | '.join(str(x) if x else '' for x in r) + ' |')


if __name__ == '__main__':
    main()
