"""Random JSON-shaped task args/kwargs with what celery.utils.saferepr and repr() make of them:
the cases test/celery/protocol/saferepr.test.ts compares our port against. Usage: saferepr_cases.py SEED"""
import json, random, sys
from celery.utils.saferepr import saferepr
random.seed(int(sys.argv[1]))
def rnd(d=0):
    r = random.random()
    if d > 4 or r < 0.45:
        c = random.randint(0, 6)
        if c == 0: return random.randint(-10**6, 10**6)
        if c == 1: return random.choice([0.5, -2.25, 1e-7, 1.5e20, 3.14159])
        if c == 2: return random.choice([True, False, None])
        chars = "ab c'\"\\\n\t\x01é€😀 xyz"
        return "".join(random.choice(chars) for _ in range(random.choice([0, 1, 3, 10, 50, 400])))
    if r < 0.75:
        return [rnd(d+1) for _ in range(random.randint(0, 6 if d else 40))]
    return {("k%d" % i) + random.choice(["", "'", " x"]): rnd(d+1) for i in range(random.randint(0, 6))}
cases = []
for _ in range(400):
    args = [rnd(1) for _ in range(random.randint(0, 5))]
    kwargs = {"a": rnd(1), "b": rnd(1)} if random.random() < 0.5 else {}
    maxlen = random.choice([1024, 1024, 50, 10, 200, None])
    cases.append({"args": json.dumps(args), "kwargs": json.dumps(kwargs), "maxlen": maxlen,
                  "argsrepr": saferepr(tuple(args), maxlen), "kwargsrepr": saferepr(kwargs, maxlen), "repr": repr(tuple(args))})
print(json.dumps(cases))
