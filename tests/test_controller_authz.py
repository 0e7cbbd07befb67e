"""The authorization matrix, generated from the controller's route table (src/controller/api.c):
every endpoint x {no token, unknown token, each role} against the answer docs/controller.md
documents (the role column of its API table, and its "who may call what" table). A route
without its row in the documentation, or a row without its route, fails the test."""
import os, re

from controller_testlib import TOKENS, Cluster, write_tokens

HERE = os.path.dirname(os.path.abspath(__file__))
API_C = os.path.join(HERE, '..', 'src', 'controller', 'api.c')
DOC = os.path.join(HERE, '..', 'docs', 'controller.md')
PERMS = {'0': 'open', 'PERM_READ': 'reader', 'PERM_WRITE': 'writer', 'PERM_NODE': 'node'}
CALLERS = ['no token', 'unknown token', 'reader', 'writer', 'admin', 'node']


def routes():
    """(method, pattern, role) of every row of the route table."""
    with open(API_C) as f:
        src = f.read()
    table = re.search(r'static const Route routes\[\] = \{(.*?)\n\};', src, re.S)
    assert table, 'no route table in src/controller/api.c'
    rows = re.findall(r'\{\s*"([A-Z]+)",\s*"([^"]+)",\s*([A-Z_|0]+),\s*\w+\s*\}', table.group(1))
    assert len(rows) >= 14, f'only {len(rows)} routes parsed from api.c'
    out = []
    for method, pattern, need in rows:
        assert need in PERMS, f'{method} {pattern}: permission {need} has no documented role'
        out.append((method, pattern, PERMS[need]))
    return out


def documented():
    """{(method, pattern): role} from the API table, and {role: {caller: answer}}."""
    with open(DOC) as f:
        text = f.read()
    api = {}
    for method, path, role in re.findall(r'^\| `(GET|POST|PUT|DELETE|PATCH) ([^`]+)` \| (\w+) \|', text, re.M):
        pattern = re.sub(r'\{[a-z_]+\}', '*', path.split('[')[0].split('?')[0])
        api[(method, pattern)] = role
    matrix = {}
    for line in re.findall(r'^\| (open|reader|writer|node|admin) \| (.+) \|$', text, re.M):
        cells = [c.strip() for c in line[1].split('|')]
        if len(cells) == len(CALLERS):
            matrix[line[0]] = dict(zip(CALLERS, cells))
    return api, matrix


def _path(pattern):
    return pattern.replace('*', 'x1', 1).replace('*', 'n1')   # /v1/nodes/x1/jobs/n1/...


def check_documented(table, api, matrix):
    got = {(m, p) for m, p, _ in table}
    for m, p, role in table:
        if (m, p) not in api:
            raise AssertionError(f'{m} {p} (src/controller/api.c) has no row in docs/controller.md')
        if api[(m, p)] != role:
            raise AssertionError(f'{m} {p}: the route needs {role}, docs/controller.md says {api[(m, p)]}')
        if role not in matrix:
            raise AssertionError(f'role {role} has no row in the "who may call what" table')
    for m, p in api:
        if (m, p) not in got:
            raise AssertionError(f'docs/controller.md documents {m} {p}, which the route table lacks')


def cases(env):
    table = routes()
    api, matrix = documented()
    yield 'controller_authz_routes_documented', lambda: check_documented(table, api, matrix)

    def run():
        check_documented(table, api, matrix)
        with Cluster(env, 'authz-matrix') as c:
            tokens = write_tokens(os.path.join(c.dir, 'tokens'))
            c.controller('--tokens-file', tokens)
            api_ = c.api()
            tok = dict(TOKENS, **{'no token': None, 'unknown token': 'unknown-token-0123456789'})
            wrong, checked = [], 0
            for method, pattern, role in table:
                body = {'wait': 0} if method == 'POST' else None
                for caller in CALLERS:
                    want = matrix[role][caller]
                    try:
                        st = api_.call(method, _path(pattern), body, token=tok[caller], timeout=10)[0]
                    except OSError as e:
                        st = f'no answer ({e.__class__.__name__})'
                    ok = st not in (401, 403) if want == 'answered' else str(st) == want
                    checked += 1
                    if not ok:
                        wrong.append(f'{method} {pattern} as {caller}: {st}, documented {want}')
            assert c.ctl.stop() == 0
            assert checked == len(table) * len(CALLERS), checked
            if wrong:
                raise AssertionError(f'{len(wrong)} of {checked} answers differ from docs/controller.md:\n  ' +
                                     '\n  '.join(wrong))
    yield 'controller_authz_matrix', run
