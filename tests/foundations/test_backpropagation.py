"""Tests for code/foundations/backpropagation.py (page: docs/foundations/backpropagation.md).

The scalar engine equals torch.autograd (values and every leaf's gradient, float64) on hundreds of random
expression trees that reuse their leaves and inner nodes; reused nodes get the sum over paths; backward()
is repeatable; deep chains work. The matrix-form MLP backward pass equals torch.autograd and central finite
differences. The batch-mean claim, the gradient-check numbers, every pitfall and every exercise hold.
"""
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import backpropagation as bp
from backpropagation import Value

MODULE = Path(bp.__file__)


def leaf(v):
    return torch.tensor(float(v), dtype=torch.float64, requires_grad=True)


def torch_grads(leaves):
    return [0.0 if x.grad is None else x.grad.item() for x in leaves]    # an unused leaf has no grad


# ---------------------------------------------------------------- random expression trees (hypothesis)

UNARY = ["neg", "exp", "log", "tanh", "relu", "sigmoid", "square_self"]
BINARY = ["add", "sub", "mul", "div", "reuse"]
CONST = ["cadd", "cmul", "csub", "cdiv"]


def trees():
    """Expression trees over three leaves; a leaf index may appear many times (reuse)."""
    def extend(children):
        return st.one_of(
            st.tuples(st.sampled_from(UNARY), children),
            st.tuples(st.just("pow"), children, st.sampled_from([2, 3, -1, -2, 0.5, 1.5, -0.5])),
            st.tuples(st.sampled_from(BINARY), children, children),
            st.tuples(st.sampled_from(CONST), st.floats(-3, 3), children),
        )
    return st.recursive(st.tuples(st.just("leaf"), st.integers(0, 2)), extend, max_leaves=10)


def evaluate(tree, leaves):
    """The same tree on Values or on torch tensors: both spell the operations alike.
    Unsafe domains are avoided by construction: log, negative and fractional powers and division
    all act on a quantity bounded away from 0 (and that quantity reuses its input, e*e)."""
    op = tree[0]
    if op == "leaf":
        return leaves[tree[1]]
    if op in CONST:
        c, e = tree[1], evaluate(tree[2], leaves)
        return {"cadd": lambda: c + e, "cmul": lambda: c * e, "csub": lambda: c - e,
                "cdiv": lambda: c / (e.sigmoid() + 0.5)}[op]()
    if op == "pow":
        e, p = evaluate(tree[1], leaves), tree[2]
        return e ** p if p in (2, 3) else (e * e + 0.5) ** p
    e = evaluate(tree[1], leaves)
    if op in UNARY:
        return {"neg": lambda: -e, "exp": e.exp, "log": lambda: (e * e + 0.1).log(), "tanh": e.tanh,
                "relu": e.relu, "sigmoid": e.sigmoid, "square_self": lambda: e * e}[op]()
    f = evaluate(tree[2], leaves)
    return {"add": lambda: e + f, "sub": lambda: e - f, "mul": lambda: e * f,
            "div": lambda: e / (f.tanh() + 1.5), "reuse": lambda: e * f + e}[op]()   # e feeds two nodes


def engine_and_torch(tree, values, cls=Value):
    ours = [cls(v) for v in values]
    out = evaluate(tree, ours)
    out.backward()
    theirs = [leaf(v) for v in values]
    ref = evaluate(tree, theirs)
    ref.backward()
    return out.data, [x.grad for x in ours], ref.item(), torch_grads(theirs)


def assert_close(a, b, scale):
    assert abs(a - b) <= 1e-9 * max(1.0, scale), (a, b)


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(), values=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_engine_equals_torch_autograd_on_random_expressions(tree, values):
    try:
        value, grads, ref_value, ref_grads = engine_and_torch(tree, values)
    except (OverflowError, ValueError):        # exp(exp(...)) beyond float64: not what is tested here
        assume(False)
    assume(abs(value) < 1e8 and all(abs(g) < 1e8 for g in grads))
    assert_close(value, ref_value, abs(ref_value))
    scale = max(abs(g) for g in ref_grads)
    for g, r in zip(grads, ref_grads):
        assert_close(g, r, scale)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(tree=trees(), values=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_backward_on_a_fresh_graph_of_the_same_leaves_gives_the_same_grads(tree, values):
    leaves = [Value(v) for v in values]
    try:
        first = evaluate(tree, leaves)
    except (OverflowError, ValueError):
        assume(False)
    first.backward()
    before = [x.grad for x in leaves]
    evaluate(tree, leaves).backward()          # a new graph over the same leaf objects
    assert [x.grad for x in leaves] == before
    first.backward()                           # and the old graph once more
    assert [x.grad for x in leaves] == before


def test_the_random_check_catches_an_engine_that_overwrites_grads():
    """The property above can fail: with `=` instead of `+=`, reused nodes get wrong gradients."""
    for tree in [("square_self", ("leaf", 0)), ("reuse", ("leaf", 0), ("leaf", 1)),
                 ("add", ("tanh", ("leaf", 0)), ("exp", ("leaf", 0)))]:
        values = [0.7, -1.1, 0.3]
        _, grads, _, ref_grads = engine_and_torch(tree, values, cls=bp.OverwritingValue)
        assert abs(grads[0] - ref_grads[0]) > 1e-3
        _, grads, _, ref_grads = engine_and_torch(tree, values)
        assert abs(grads[0] - ref_grads[0]) < 1e-12


# ---------------------------------------------------------------- explicit engine tests

def test_node_used_twice_gets_the_sum_over_paths():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0                       # 2x, not x
    a, b = Value(2.0), Value(-3.0)
    m = a * b
    z = m + a
    z.backward()
    assert (z.data, a.grad, b.grad, m.grad) == (-4.0, -2.0, 2.0, 1.0)   # dz/da = b + 1, eq. (3)
    a_t, b_t = leaf(2.0), leaf(-3.0)
    (a_t * b_t + a_t).backward()
    assert (a_t.grad.item(), b_t.grad.item()) == (a.grad, b.grad)


def test_inner_node_used_four_times():
    x = Value(0.4)
    u = x.tanh()
    y = u * u * u + u                          # u is both inputs of one product, one of another, one of +
    y.backward()
    x_t = leaf(0.4)
    u_t = x_t.tanh()
    (u_t * u_t * u_t + u_t).backward()
    assert abs(x.grad - x_t.grad.item()) < 1e-15
    assert abs(u.grad - (3 * u.data**2 + 1)) < 1e-15


def test_backward_twice_gives_the_same_result_unlike_torch_which_accumulates():
    a, b = Value(1.5), Value(-0.5)
    z = (a * b).exp() + a / b
    z.backward()
    once = (a.grad, b.grad)
    z.backward()
    assert (a.grad, b.grad) == once
    w = leaf(1.5)
    for _ in range(2):
        (w * w).backward()                     # two graphs, no zero_grad: torch adds them up
    assert w.grad.item() == 2 * 3.0


@pytest.mark.parametrize("n", [1, 2, 50, 20_000])
def test_deep_chain(n):
    x, last = bp.deep_chain(n, x0=0.5)
    last.backward()
    u, grad = 0.5, 1.0
    for _ in range(n):                         # d tanh(u)/du = 1 - tanh(u)^2, multiplied along the chain
        u = math.tanh(u)
        grad *= 1 - u * u
    assert last.data == u
    assert abs(x.grad - grad) <= 1e-12 * abs(grad)
    if n <= 2000:
        x_t = leaf(0.5)
        y_t = x_t
        for _ in range(n):
            y_t = y_t.tanh()
        y_t.backward()
        assert abs(x.grad - x_t.grad.item()) <= 1e-12 * abs(grad)


def test_recursive_topological_sort_fails_on_a_deep_chain_and_the_loop_does_not():
    _, last = bp.deep_chain(5000)
    with pytest.raises(RecursionError):
        bp.recursive_order(last)
    order = last.topological_order()
    assert len(order) == 5001 and order[0].op == "leaf" and order[-1] is last
    _, short = bp.deep_chain(20)
    assert bp.recursive_order(short) == short.topological_order()


def test_topological_order_puts_parents_first():
    a, b = Value(1.0), Value(2.0)
    z = (a * b + a).tanh() * b
    order = z.topological_order()
    position = {id(n): i for i, n in enumerate(order)}
    assert len(position) == len(order) == 6     # a, b, a*b, +, tanh, *
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents)


OPS = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y, "pow3": lambda x, y: x ** 3, "pow-0.5": lambda x, y: (y * y) ** -0.5,
    "neg": lambda x, y: -x, "exp": lambda x, y: x.exp(), "log": lambda x, y: y.log(),
    "tanh": lambda x, y: x.tanh(), "relu": lambda x, y: x.relu(), "sigmoid": lambda x, y: x.sigmoid(),
    "radd": lambda x, y: 2.5 + x, "rsub": lambda x, y: 2.5 - x, "rmul": lambda x, y: 2.5 * x,
    "rdiv": lambda x, y: 2.5 / y,
}


@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("x, y", [(0.7, 1.3), (-1.4, 0.2), (3.0, 5.0)])
def test_every_operation_equals_torch(name, x, y):
    ours, theirs = [Value(x), Value(y)], [leaf(x), leaf(y)]
    out, ref = OPS[name](*ours), OPS[name](*theirs)
    out.backward()
    ref.backward()
    assert abs(out.data - ref.item()) <= 1e-14 * max(1, abs(ref.item()))
    for g, r in zip([v.grad for v in ours], torch_grads(theirs)):
        assert abs(g - r) <= 1e-14 * max(1, abs(r))


@pytest.mark.parametrize("x", [1e4, -1e4, 700.0, -700.0])
def test_extreme_inputs_stay_finite_and_match_torch(x):
    for name in ["sigmoid", "tanh", "relu"]:
        v, t = Value(x), leaf(x)
        out, ref = getattr(v, name)(), getattr(t, name)()
        out.backward()
        ref.backward()
        assert math.isfinite(out.data) and math.isfinite(v.grad)
        assert out.data == ref.item() and v.grad == t.grad.item()


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match=r"log\(x\) is defined for x > 0 only \(domain \(0, inf\)\), got x = 0"):
        Value(0.0).log()
    with pytest.raises(ValueError, match=r"domain \(0, inf\)\), got x = -2"):
        Value(-2.0).log()
    with pytest.raises(TypeError, match=r"one real number \(a scalar\); got ndarray of shape \(2,\)"):
        Value(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="one real number"):
        Value("3")
    with pytest.raises(TypeError, match="one real number"):
        Value(True)
    with pytest.raises(ValueError, match="finite number, got nan"):
        Value(float("nan"))
    with pytest.raises(ValueError, match="finite number, got inf"):
        Value(1e200) * 1e200                   # an overflow is caught where it happens
    with pytest.raises(TypeError, match="exponent must be a constant int or float"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ValueError, match=r"x != 0 for a negative one \(division by zero\), got x = 0"):
        Value(1.0) / 0.0
    with pytest.raises(ValueError, match="x > 0 for a non-integer exponent"):
        Value(-2.0) ** 0.5
    with pytest.raises(OverflowError, match="overflows float64 for x > 709.78, got x = 710"):
        Value(710.0).exp()
    assert math.isfinite(Value(709.0).exp().data)


def test_numpy_scalars_are_accepted():
    v = Value(np.float64(2.0)) * Value(np.int64(3))
    assert v.data == 6.0 and isinstance(v.data, float)


# ---------------------------------------------------------------- matrix-form MLP

@pytest.mark.parametrize("sizes, N", [([3, 4, 2], 5), ([3, 5, 4, 3], 4), ([2, 1, 2], 1), ([4, 6, 6, 6, 5], 7)])
def test_mlp_backward_equals_autograd_and_finite_differences(sizes, N):
    rng = np.random.default_rng(len(sizes) + N)
    X, y = rng.normal(size=(N, sizes[0])), rng.integers(0, sizes[-1], size=N)
    params = bp.init_mlp(sizes, seed=3)
    J, grads = bp.mlp_cost_and_grads(X, y, params)
    J_t, grads_t = bp.torch_cost_and_grads(X, y, params)
    assert abs(J - J_t) < 1e-14
    for (W, b), (dW, db), (dW_t, db_t) in zip(params, grads, grads_t):
        assert dW.shape == W.shape and db.shape == b.shape
        assert np.abs(dW - dW_t).max() < 1e-14 and np.abs(db - db_t).max() < 1e-14
    for name, error in bp.gradient_check(X, y, params):
        assert error < 1e-7, name


def test_mlp_forward_equals_nn_sequential():
    X, y, params = bp.example_batch()
    Z, cache = bp.mlp_forward(X, params)
    Z_t = bp.to_torch(params)(torch.from_numpy(X)).detach().numpy()
    assert np.abs(Z - Z_t).max() < 1e-14
    assert [A.shape for A, _ in cache] == [(4, 3), (4, 5), (4, 4)]
    assert [Zl.shape for _, Zl in cache] == [(4, 5), (4, 4), (4, 3)]


def test_top_delta_is_p_minus_t_over_n():
    """eq. (8): dJ/dZ^L = (P - T) / N, against autograd on the logits."""
    rng = np.random.default_rng(1)
    Z, y = rng.normal(size=(6, 4)), np.array([0, 3, 1, 1, 2, 0])
    J, P = bp.softmax_cross_entropy(Z, y)
    Z_t = torch.tensor(Z, requires_grad=True)
    F.cross_entropy(Z_t, torch.from_numpy(y)).backward()
    assert abs(J - F.cross_entropy(torch.from_numpy(Z), torch.from_numpy(y)).item()) < 1e-14
    assert np.abs((P - np.eye(4)[y]) / 6 - Z_t.grad.numpy()).max() < 1e-15


def test_activation_gradient_sums_over_the_next_layer():
    """The learner's point 1: dJ/dA^{l-1} is a sum over every neuron A feeds: the loop = dZ W = autograd."""
    rng = np.random.default_rng(2)
    A, W, dZ = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(3, 5))
    loop = bp.activation_gradient_loop(dZ, W)
    assert np.abs(loop - dZ @ W).max() < 1e-14
    A_t = torch.tensor(A, requires_grad=True)
    (A_t @ torch.from_numpy(W).T * torch.from_numpy(dZ)).sum().backward()   # so that dJ/dZ = dZ
    assert np.abs(loop - A_t.grad.numpy()).max() < 1e-14


def test_weight_gradient_is_batch_mean_of_delta_times_activation():
    """eq. (13): dJ/dW = (1/N) sum_n outer(delta_n, a_n), with delta_n the per-example dl_n/dz_n."""
    rng = np.random.default_rng(3)
    A, W, b, y = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=4), np.array([0, 3, 1, 2, 3])
    W_t = torch.tensor(W, requires_grad=True)
    F.cross_entropy(torch.from_numpy(A) @ W_t.T + torch.from_numpy(b), torch.from_numpy(y)).backward()
    _, P = bp.softmax_cross_entropy(A @ W.T + b, y)
    delta = P - np.eye(4)[y]                   # (N, m): per-example deltas, no 1/N
    per_example = [np.outer(delta[n], A[n]) for n in range(5)]
    assert np.abs(np.mean(per_example, axis=0) - W_t.grad.numpy()).max() < 1e-15
    wrong = np.outer(delta.mean(axis=0), A.mean(axis=0))                # mean(delta) * mean(a)
    assert np.abs(wrong - W_t.grad.numpy()).max() > 1e-2


def test_batch_mean_counterexample():
    ways, (a, y, w, b) = bp.batch_mean_example()
    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    (0.5 * (w_t * torch.from_numpy(a) + b - torch.from_numpy(y)) ** 2).mean().backward()
    assert ways["mean(delta * a)"] == pytest.approx(w_t.grad.item(), abs=1e-15)
    assert ways["mean(delta * a)"] == pytest.approx(-0.5, abs=1e-15)
    assert ways["mean(delta) * mean(a)"] > 0 and ways["mean(a)"] > 0       # the wrong ones: even the sign


def test_mlp_bad_input():
    X, y, params = bp.example_batch()
    with pytest.raises(ValueError, match=r"X must have shape \(N, d\) with d = 3, got \(4, 2\)"):
        bp.mlp_forward(X[:, :2], params)
    Z = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"in \[0, C\) = \[0, 3\)"):
        bp.softmax_cross_entropy(Z, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"integer class indices of shape \(N,\) = \(4,\)"):
        bp.softmax_cross_entropy(Z, np.array([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r"got dtype int64, shape \(4, 1\)"):
        bp.softmax_cross_entropy(Z, np.zeros((4, 1), dtype=np.int64))
    with pytest.raises(ValueError, match=r"logits Z must have shape \(N, C\), got \(3,\)"):
        bp.softmax_cross_entropy(np.zeros(3), np.array([0]))


def test_extreme_logits_are_finite_and_correct():
    Z, y = np.array([[1e4, -1e4, 0.0], [0.0, 1e4, -1e4]]), np.array([1, 1])
    J, P = bp.softmax_cross_entropy(Z, y)
    assert J == pytest.approx(1e4, rel=1e-15)  # row 1 loses 2e4, row 2 loses 0: the mean is 1e4
    assert J == pytest.approx(F.cross_entropy(torch.from_numpy(Z), torch.from_numpy(y)).item(), rel=1e-15)
    assert np.isfinite(P).all()


# ---------------------------------------------------------------- gradient checking

def test_relative_error_formula():
    g = np.array([1.0, -2.0, 2.0])
    assert bp.relative_error(g, g) == 0.0
    assert bp.relative_error(g, -g) == pytest.approx(1.0)
    assert bp.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert bp.relative_error(g, 1.001 * g) == pytest.approx(0.001 / 2.001)


def test_numerical_gradient_restores_the_parameters():
    theta = np.array([[0.3, -1.2], [2.0, 0.5]])
    before = theta.copy()
    g = bp.numerical_gradient(lambda: np.sum(np.sin(theta)), theta)
    assert np.array_equal(theta, before)
    assert np.abs(g - np.cos(theta)).max() < 1e-9


def test_step_size_sweep_has_the_expected_shape():
    hs = (1e-1, 1e-3, 1e-5, 1e-6, 1e-8, 1e-10)
    f64 = dict(zip(hs, bp.step_size_sweep(np.float64, hs)))
    f32 = dict(zip(hs, bp.step_size_sweep(np.float32, hs)))
    assert min(f64.values()) < 1e-9 and min(f64, key=f64.get) in (1e-5, 1e-6)    # best h near eps^(1/3)
    assert f64[1e-1] > 1e-4 and f64[1e-10] > 100 * f64[1e-5]                     # truncation, rounding
    assert min(f32.values()) > 1e-6 and f32[1e-6] > 1e-3                         # float32 cannot check


def test_gradient_check_across_a_relu_kink_reports_a_large_error():
    assert bp.kink_example() > 1e-4
    X, y, params = bp.example_batch()
    assert max(e for _, e in bp.gradient_check(X, y, params)) < 1e-8          # the same net, no kink


# ---------------------------------------------------------------- pitfalls, exercises, figure, demos

def test_overwriting_engine_is_wrong_only_where_a_node_is_reused():
    x = bp.OverwritingValue(3.0)
    (x * x).backward()
    assert x.grad == 3.0
    a, b = bp.OverwritingValue(2.0), bp.OverwritingValue(-3.0)
    (a * b + a).backward()
    assert a.grad == -3.0
    c, d = bp.OverwritingValue(2.0), bp.OverwritingValue(-3.0)
    ((c * d).tanh() + 1).backward()            # a tree: no reuse, so the bug does not show
    assert c.grad == pytest.approx((1 - math.tanh(-6.0) ** 2) * -3.0, rel=1e-15)


def test_torch_error_reports_the_first_clause():
    w = leaf(3.0)
    loss = w.exp()
    loss.backward()
    assert bp.torch_error(loss.backward) == "Trying to backward through the graph a second time"
    assert bp.torch_error(lambda: None) is None


def test_exercise_two_paths():
    (ga, gb), (ha, hb) = bp.ex_two_paths()
    assert abs(ga - ha) < 1e-15 and abs(gb - hb) < 1e-15
    a, b = leaf(0.7), leaf(-1.2)
    (torch.tanh(a * b) * a).backward()
    assert abs(ga - a.grad.item()) < 1e-15 and abs(gb - b.grad.item()) < 1e-15


def test_exercise_covariance_identity():
    rng = np.random.default_rng(4)
    delta, a = rng.normal(size=8), rng.normal(size=8) + 2
    left, right = bp.ex_covariance(delta, a)
    assert abs(left - right) < 1e-14
    assert abs(left - np.mean(delta) * np.mean(a)) > 1e-3          # they differ by the covariance
    left, right = bp.ex_covariance([1.0, -1.0, 1.0, -1.0], [2.0, 2.0, 5.0, 5.0])   # uncorrelated
    assert left == right == 0.0


@pytest.mark.parametrize("x", [-1e3, -30.0, -1.5, 0.0, 0.3, 2.0, 30.0, 1e3])
def test_exercise_softplus_from_engine_ops(x):
    v = Value(x)
    out = bp.softplus(v)
    out.backward()
    t = leaf(x)
    ref = F.softplus(t)
    ref.backward()
    # log(1 + u) rounds 1 + u first: an absolute error up to ~1e-16 (log1p would keep it relative)
    assert out.data == pytest.approx(ref.item(), rel=1e-14, abs=2e-16)
    assert v.grad == pytest.approx(Value(x).sigmoid().data, rel=1e-14, abs=1e-300)   # = sigmoid(x), also at 0
    # F.softplus returns x itself for x > threshold = 20, so its gradient there is exactly 1
    assert v.grad == pytest.approx(t.grad.item(), rel=0, abs=1e-12)


def test_exercise_naive_softplus_overflows_where_the_stable_one_does_not():
    with pytest.raises(OverflowError):
        (1 + Value(1e3).exp()).log()
    assert bp.softplus(1e3).data == 1e3


def test_exercise_sum_instead_of_mean_scales_every_gradient_by_n():
    X, y, params = bp.example_batch()
    model = bp.to_torch(params)
    F.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y), reduction="sum").backward()
    _, grads = bp.mlp_cost_and_grads(X, y, params)
    assert np.allclose(model[0].weight.grad.numpy(), len(X) * grads[0][0], rtol=1e-13, atol=0)


def test_figure_shows_the_engine_gradients():
    import matplotlib.pyplot as plt
    fig = bp.plot_chain_rule()
    texts = [t.get_text() for t in fig.axes[0].texts]
    grad_a1 = next(t for t in texts if t.startswith(r"$\partial J/\partial a_1$"))
    # recompute dJ/da_1 of the figure's network with torch: a = relu(W1 x + 0.1), z = W2 a, class 1
    x = torch.tensor([1.0, 0.5], dtype=torch.float64)
    W1 = torch.tensor([[0.8, -0.4], [0.3, 0.9]], dtype=torch.float64)
    W2 = torch.tensor([[1.2, -0.7], [-0.5, 0.6]], dtype=torch.float64)
    a = torch.relu(W1 @ x + 0.1).requires_grad_()
    F.cross_entropy((W2 @ a)[None], torch.tensor([1])).backward()
    assert grad_a1.endswith(f"= {a.grad[0].item():.3f}")
    assert sum(t.startswith(r"$\partial J/\partial") for t in texts) == 7
    plt.close(fig)


@pytest.fixture
def run(run_main):
    return lambda *args: run_main(MODULE, *args)


def test_check_reports_agreement_with_pytorch(run):
    engine, mlp, extreme, sweep = run("--check").strip().split("\n\n")
    rows = engine.splitlines()[1:]
    assert len(rows) == 5 and all(float(r.split()[-1]) < 1e-14 and float(r.split()[-2]) < 1e-14 for r in rows)
    rows = mlp.splitlines()[2:]
    assert len(rows) == 6
    assert all(float(r.split()[1]) < 1e-14 and float(r.split()[2]) < 1e-8 for r in rows)
    assert extreme == "logits of ±1e4: J = 10000.0, F.cross_entropy = 10000.0"
    assert sweep.splitlines()[2].startswith("float64") and sweep.splitlines()[3].startswith("float32")


def test_demo_numpy_and_torch_print_the_same_numbers(run):
    numpy_part, torch_part = run().split("\n\n")
    assert "dz/da = -2.0 (= b + 1), dz/db = 2.0 (= a)" in numpy_part
    assert "dz/da = -2.0, dz/db = 2.0" in torch_part
    strip = lambda text: [line.split("= ")[-1] for line in text.splitlines() if "[0] =" in line]   # noqa: E731
    assert strip(numpy_part) == strip(torch_part) and len(strip(numpy_part)) == 3
    assert numpy_part.splitlines()[3] == torch_part.splitlines()[1]              # J = ...


def test_batch_demo(run):
    out = run("--batch")
    assert "mean(delta * a)          -0.5000" in out and "torch.autograd dJ/dw     -0.5000" in out


def test_pitfalls_demo_shows_the_failures(run):
    out = run("--pitfalls")
    assert "x = 3 is 3.0 (right: 6.0)" in out and "is -3.0 (right: -2.0)" in out
    assert "w.grad = 12.0 (right: 6.0)" in out
    assert "backward through the graph a second time" in out
    assert "only for scalar outputs" in out
    assert "modified by an inplace operation" in out
    assert "does not require grad" in out
    assert "RecursionError" in out
