"""Tests for code/architectures/residual_connections.py (page: docs/architectures/residual-connections.md).

The from-scratch residual block (identity or projection shortcut, with or without LayerNorm) equals the PyTorch
ResidualMLP in float64, values and every gradient, and its hand-derived backward pass equals central finite
differences; its Jacobian is I + dF/dx; bad input raises an error naming the expected shape or dtype; extreme
input stays finite. The conv blocks follow the shape rule and torchvision's names; the measured gradient norms
and stream scales behave as eqs. (7) and (14) derive; the training run shows the page's claims; the pitfalls
show their symptoms; the exercise solutions hold.
"""
import re
from math import comb
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import residual_connections as rc

MODULE = Path(rc.__file__)
TOL = 1e-12                      # float64 agreement with PyTorch
FD_TOL = 1e-7                    # central differences, h = 1e-6, on O(1) numbers


def make_params(rng, d=3, h=5, d_out=3, N=4, scale=1.0):
    """x (N, d), W1 (h, d), b1 (h,), W2 (d_out, h), b2 (d_out,), W_s (d_out, d) or None: random, float64."""
    shapes = [(N, d), (h, d), (h,), (d_out, h), (d_out,)]
    params = [scale * rng.normal(size=s) if i == 0 else rng.normal(size=s) for i, s in enumerate(shapes)]
    return params + [None if d_out == d else rng.normal(size=(d_out, d))]


def torch_twin(params, norm):
    """A float64 ResidualMLP with the same numbers, and the input as a leaf that requires grad."""
    x, W1, b1, W2, b2, W_s = params
    block = rc.ResidualMLP(W1.shape[1], len(W1), len(W2), norm=norm).double()
    with torch.no_grad():
        for p, v in zip([block.fc1.weight, block.fc1.bias, block.fc2.weight, block.fc2.bias], [W1, b1, W2, b2]):
            p.copy_(torch.from_numpy(v))
        if W_s is not None:
            block.shortcut.weight.copy_(torch.from_numpy(W_s))
    return block, torch.tensor(x, requires_grad=True)


def maxdiff(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b)))


@pytest.fixture
def rng():
    return np.random.default_rng(21)


CASES = [(3, True), (3, False), (5, True), (2, False)]          # (d_out, norm): identity or projection


# ---------------------------------------------------------------- the block: values and gradients

@pytest.mark.parametrize("d_out, norm", CASES)
def test_block_forward_and_backward_equal_torch(rng, d_out, norm):
    params = make_params(rng, d_out=d_out)
    dy = rng.normal(size=(4, d_out))
    y, cache = rc.residual_block(*params, norm=norm)
    ours = rc.residual_block_backward(dy, cache)
    block, x = torch_twin(params, norm)
    y_t = block(x)
    (y_t * torch.from_numpy(dy)).sum().backward()
    assert y.shape == (4, d_out) and maxdiff(y, y_t.detach()) < TOL
    theirs = {"x": x.grad, "W1": block.fc1.weight.grad, "b1": block.fc1.bias.grad, "W2": block.fc2.weight.grad,
              "b2": block.fc2.bias.grad}
    if d_out != 3:
        theirs["W_s"] = block.shortcut.weight.grad
    assert set(ours) == set(theirs)
    for key in ours:
        assert ours[key].shape == theirs[key].shape and maxdiff(ours[key], theirs[key]) < TOL, key


@pytest.mark.parametrize("d_out, norm", CASES)
def test_block_backward_equals_finite_differences(rng, d_out, norm, finite_difference):
    params = make_params(rng, d_out=d_out)
    dy = rng.normal(size=(4, d_out))
    ours = rc.residual_block_backward(dy, rc.residual_block(*params, norm=norm)[1])
    names = ["x", "W1", "b1", "W2", "b2", "W_s"]
    for i, name in enumerate(names[:5 if d_out == 3 else 6]):
        def J(value, i=i):                                      # J = sum(dy * y), so dJ/dy = dy
            args = list(params)
            args[i] = value
            return np.sum(dy * rc.residual_block(*args, norm=norm)[0])
        assert maxdiff(ours[name], finite_difference(J, params[i].copy())) < FD_TOL, name


@pytest.mark.parametrize("norm", [True, False])
def test_jacobian_is_identity_plus_branch_jacobian(rng, norm):
    # eq. (2): dy/dx = I + dF/dx. Rows of the Jacobian from the hand-derived backward with dy = e_i.
    params = make_params(rng, N=1)
    _, cache = rc.residual_block(*params, norm=norm)
    jac = np.array([rc.residual_block_backward(np.eye(3)[[i]], cache)["x"][0] for i in range(3)])   # (d, d)
    block, x = torch_twin(params, norm)
    branch = torch.autograd.functional.jacobian(lambda v: block.branch(v[None])[0], x[0].detach())
    assert maxdiff(jac, np.eye(3) + branch.numpy()) < TOL


def test_zero_branch_is_exactly_the_identity(rng):
    x, W1, b1, W2, _, _ = make_params(rng)
    dy = rng.normal(size=x.shape)
    y, cache = rc.residual_block(x, W1, b1, np.zeros_like(W2), np.zeros(3))
    grads = rc.residual_block_backward(dy, cache)
    assert np.array_equal(y, x) and np.array_equal(grads["x"], dy)          # eq. (3) with dF/dx = 0
    assert np.all(grads["W1"] == 0) and np.any(grads["W2"] != 0)            # Exercise 4, from scratch


def test_layernorm_branch_output_is_scale_invariant(rng):
    # the branch sees LN(x): scaling x by 1000 changes only the shortcut term
    x, W1, b1, W2, b2, _ = make_params(rng)
    y1, _ = rc.residual_block(x, W1, b1, W2, b2)
    y2, _ = rc.residual_block(1000 * x, W1, b1, W2, b2, eps=0.0)
    y1_exact, _ = rc.residual_block(x, W1, b1, W2, b2, eps=0.0)
    assert maxdiff(y2 - 1000 * x, y1_exact - x) < 1e-10 and maxdiff(y1, y1_exact) < 1e-3


# ---------------------------------------------------------------- bad and extreme input

@pytest.mark.parametrize("change, error, match", [
    (lambda p: p.__setitem__(slice(3, 5), [np.ones((5, 5)), np.ones(5)]), ValueError,
     r"identity shortcut .* d_out must equal d, or pass a projection W_s of shape \(5, 3\)"),
    (lambda p: p.__setitem__(1, np.ones((5, 4))), ValueError, r"W1 must have shape \(5, 3\)"),
    (lambda p: p.__setitem__(2, np.ones(4)), ValueError, r"b1 must have shape \(5,\)"),
    (lambda p: p.__setitem__(4, np.ones(2)), ValueError, r"b2 must have shape \(3,\)"),
    (lambda p: p.__setitem__(0, np.ones(3)), ValueError, r"must be matrices: x \(N, d\)"),
    (lambda p: p.__setitem__(0, np.array([["a", "b", "c"]])), TypeError, r"x must hold real numbers"),
])
def test_bad_input_names_the_expected_shape(rng, change, error, match):
    params = make_params(rng)
    change(params)
    with pytest.raises(error, match=match):
        rc.residual_block(*params)


def test_projection_of_the_wrong_shape(rng):
    params = make_params(rng, d_out=5)
    params[5] = np.ones((3, 5))                                 # transposed: should be (d_out, d) = (5, 3)
    with pytest.raises(ValueError, match=r"the projection W_s must have shape \(5, 3\)"):
        rc.residual_block(*params)


def test_torch_reports_the_same_mistake():
    with pytest.raises(RuntimeError, match="must match the size"):
        torch.randn(4, 3) + rc.ResidualMLP(3, 4, 5).branch(torch.randn(4, 3))


@pytest.mark.parametrize("scale", [1e-8, 1e8])
def test_extreme_scales_stay_finite_and_match_torch(rng, scale):
    params = make_params(rng, scale=scale)
    y, cache = rc.residual_block(*params)
    grads = rc.residual_block_backward(np.ones_like(y), cache)
    block, x = torch_twin(params, True)
    y_t = block(x)
    y_t.sum().backward()
    assert np.all(np.isfinite(y)) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert maxdiff(y, y_t.detach()) <= 1e-12 * max(1.0, scale)
    assert maxdiff(grads["x"], x.grad) <= 1e-9


def test_constant_rows_give_finite_layernorm(rng):
    params = make_params(rng)
    params[0] = np.full((4, 3), 7.0)                            # variance 0: eps keeps the division finite
    y, cache = rc.residual_block(*params)
    grads = rc.residual_block_backward(np.ones_like(y), cache)
    block, x = torch_twin(params, True)
    assert np.all(np.isfinite(grads["x"])) and maxdiff(y, block(x).detach()) < TOL


# ---------------------------------------------------------------- the PyTorch blocks

def test_residual_mlp_shortcut_follows_the_shape_rule():
    assert isinstance(rc.ResidualMLP(4, 8).shortcut, torch.nn.Identity)
    wide = rc.ResidualMLP(4, 8, d_out=6)
    assert wide.shortcut.weight.shape == (6, 4) and wide.shortcut.bias is None
    assert wide(torch.randn(2, 4)).shape == (2, 6)


def test_basic_block_shapes_names_and_parameters():
    x = torch.randn(2, 16, 8, 8)
    same, down = rc.BasicBlock(16, 16), rc.BasicBlock(16, 32, stride=2)
    assert same.downsample is None and same(x).shape == x.shape
    assert down(x).shape == (2, 32, 4, 4) and down.downsample[0].weight.shape == (32, 16, 1, 1)
    bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    expected = {"conv1.weight", "conv2.weight"} | {f"bn{i}.{k}" for i in (1, 2) for k in bn}
    assert set(same.state_dict()) == expected                   # torchvision.models.resnet.BasicBlock's keys
    assert set(down.state_dict()) == expected | {"downsample.0.weight"} | {f"downsample.1.{k}" for k in bn}
    # Exercise 3: 9 c_in c_out + 9 c_out^2 (+ c_in c_out for the projection) + 2 c_out per BatchNorm
    for block, c_in, c_out, stride in [(rc.BasicBlock, 64, 64, 1), (rc.BasicBlock, 64, 128, 2)]:
        count = 9 * c_in * c_out + 9 * c_out ** 2 + 4 * c_out + (c_in * c_out + 2 * c_out if stride == 2 else 0)
        assert sum(p.numel() for p in block(c_in, c_out, stride).parameters()) == count
    assert count == 230144
    assert sum(p.numel() for p in rc.PreActBlock(64, 128, 2).parameters()) == 229760


def test_post_activation_vs_pre_activation():
    torch.manual_seed(0)
    x = torch.randn(4, 8, 6, 6)
    post, pre = rc.BasicBlock(8, 8), rc.PreActBlock(8, 8)
    assert (post(x) >= 0).all() and (pre(x) < 0).any()          # ReLU after the sum: never negative
    with torch.no_grad():
        post.bn2.weight.zero_()                                 # Goyal et al.: the last BN's gamma = 0
        pre.conv2.weight.zero_()                                # the pre-activation branch's last layer = 0
    assert torch.equal(post(x), F.relu(x))                      # not the identity: relu(x)
    assert torch.equal(pre(x), x)                               # exactly the identity


def test_preact_projection_reads_the_preactivated_input():
    torch.manual_seed(0)
    block = rc.PreActBlock(8, 16, stride=2)
    x = torch.randn(3, 8, 6, 6)
    with torch.no_grad():
        block.conv2.weight.zero_()
        expected = block.shortcut(F.relu(block.bn1(x)))
    assert block(x).shape == (3, 16, 3, 3) and torch.allclose(block(x), expected)


# ---------------------------------------------------------------- stacks and measurements

def test_plain_and_residual_stacks_share_their_weights():
    plain, res = rc.Stack(64, 32, 10, 4, skip=0.0), rc.Stack(64, 32, 10, 4, skip=1.0)
    assert all(torch.equal(a, b) for a, b in zip(plain.state_dict().values(), res.state_dict().values()))
    X = torch.randn(5, 64)
    assert not torch.allclose(plain(X), res(X))                 # only the "+ x" differs
    stream = []
    rc.init_(res, "zero")(X, stream)
    assert len(stream) == 5 and all(torch.equal(s, stream[0]) for s in stream)
    with pytest.raises(ValueError, match="scheme must be"):
        rc.init_(res, "xavier")


def test_gradient_norms_behave_as_derived():
    table = rc.grad_table()
    for name, (g, predicted) in table.items():
        measured = (g[0] / g[-1]) ** (1 / 16)
        assert abs(measured / predicted - 1) < 0.12, (name, measured, predicted)   # eq. (7), per block
    plain, res = table["plain, default init"][0], table["residual, default init"][0]
    assert plain[0] / plain[-1] < 1e-9                          # vanished: (1/18)^8 predicted
    assert res[0] / plain[0] > 1e9                              # orders of magnitude at the first layer
    assert np.all((0.9 <= res / res[-1]) & (res / res[-1] <= 2.0))     # the residual stack: within a band
    assert 50 < table["residual, He init"][0][0] / table["residual, He init"][0][-1] < 1000    # 2^8 predicted


def test_stream_scale_behaves_as_derived():
    table = rc.stream_table()
    for name, (rms, predicted) in table.items():
        assert abs(rms[-1] / predicted - 1) < 0.12, name        # eq. (14): covariances ~ 0 at init
    q = table["pre-LN, default init"][0] ** 2
    assert q[12] < q[24] < q[48] and abs((q[48] - q[0]) / (q[24] - q[0]) - 2) < 0.5   # linear in l
    q_scaled = table["pre-LN, branch x 1/sqrt(L)"][0] ** 2
    assert abs((q_scaled[48] - q_scaled[0]) * 48 / (q[48] - q[0]) - 1) < 0.25           # 1/L of the growth
    zero = table["pre-LN, last layer zero"][0]
    assert np.all(zero == zero[0])                              # every block the identity
    he = table["no norm, He init"][0]
    assert 1.3 < (he[48] / he[0]) ** (1 / 48) < 1.6             # geometric, sqrt(2) per block predicted


def test_print_measurements(capsys):
    rc.print_measurements()
    out = capsys.readouterr().out
    assert "plain, default init" in out and "eq. (14)" in out and out.count("\n") == 11


@pytest.mark.slow
def test_training_shows_the_degradation_and_the_fix(capsys):
    runs = rc.training_runs()
    last = {name: losses[-10:].mean() for name, (losses, _, _) in runs.items()}
    assert last["plain, default init"] > 2.2                    # stuck at ln 10: no gradient reaches it
    assert last["residual, default init"] < 0.2
    assert last["plain, He init"] > 3 * last["residual, default init"]
    assert last["plain, 2 blocks, He init"] < last["plain, He init"]        # deeper plain: worse training loss
    assert runs["residual, default init"][1] > 0.9              # held-out accuracy
    rc.print_training()
    out = capsys.readouterr().out
    assert re.search(r"\d+\.\d{3} ms", out) and "1 CPU thread" in out
    assert rc.plot_training().axes[0].get_lines().__len__() == 4


# ---------------------------------------------------------------- pitfalls

def test_in_place_addition_breaks_autograd():
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        rc.InPlaceBlock(3, 8)(torch.randn(4, 3, requires_grad=True))
    h = torch.nn.Linear(3, 3)(torch.randn(4, 3))
    y = rc.InPlaceBlock(3, 8)(h)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    x = torch.randn(4, 3, requires_grad=True)
    rc.ResidualMLP(3, 8)(x).sum().backward()                    # the out-of-place block is fine
    assert x.grad is not None


def test_pitfalls_output(run_main):
    out = run_main(MODULE, "--pitfalls")
    assert "must match the size of tensor b (5)" in out
    assert "(4, 3) + (4, 1) -> (4, 3)" in out and "(4,) + (4, 1) -> (4, 4)" in out   # silent broadcasting
    share = float(re.search(r"== x at ([\d.]+)%", out).group(1))
    assert "everywhere: True" in out and 40 < share < 60        # relu after the sum keeps only x > 0
    assert "caller's x0 changed: True" in out
    ratios = [float(r) for r in re.findall(r"\|dJ/dx_16\| = ([\d.e+-]+)", out)]
    assert ratios[0] > 0.5 and ratios[1] < 1e-3                 # a shortcut scaled by 0.5: (0.25 + 1/18)^8


# ---------------------------------------------------------------- exercises and demos

def test_exercise_2_paths_by_length(rng):
    L, m = 4, 3
    As, g = [rng.normal(size=(m, m)) for _ in range(L)], rng.normal(size=m)
    G = rc.gradient_by_path_length(As, g)
    full = g.copy()
    for A in reversed(As):
        full = full + A.T @ full                                # (I + A)^T g, last block first
    assert G.shape == (L + 1, m) and maxdiff(G.sum(axis=0), full) < 1e-10 and maxdiff(G[0], g) == 0
    by_length = np.zeros((L + 1, m))
    for mask in range(2 ** L):                                  # brute force: every subset of blocks
        v = g.copy()
        for l in reversed(range(L)):
            if mask >> l & 1:
                v = As[l].T @ v
        by_length[bin(mask).count("1")] += v
    assert maxdiff(G, by_length) < 1e-10


def test_exercise_2_expected_share_is_binomial():
    rng, L, m, rho = np.random.default_rng(0), 5, 64, 0.5
    g = rng.normal(size=m)
    sq = np.mean([np.sum(rc.gradient_by_path_length([rng.normal(scale=(rho / m) ** 0.5, size=(m, m))
                                                     for _ in range(L)], g) ** 2, axis=1) for _ in range(300)], axis=0)
    expected = np.array([comb(L, k) * rho ** k for k in range(L + 1)]) * (g @ g)
    assert np.all(np.abs(sq / expected - 1) < 0.2)


def test_exercise_4_zero_init_still_learns():
    grads = rc.zero_init_grads()
    assert grads.shape == (2, 4, 2)
    assert np.all(grads[0, :, 0] == 0) and np.all(grads[0, :, 1] > 0)      # step 1: only fc2 moves
    assert np.all(grads[1, :, 0] > 0)                                       # step 2: fc1 has gradients too


def test_demo_output(run_main):
    out = run_main(MODULE)
    assert "y equals x: True" in out and "dJ/dx equals dy: True" in out
    assert "Linear(in_features=3, out_features=5, bias=False) -> (2, 5)" in out
    assert "(2, 64, 16, 16) -> (2, 128, 8, 8), 230144 parameters" in out


def test_check_output(run_main):
    out = run_main(MODULE, "--check")
    values = [float(v) for v in re.findall(r"(\d\.\de[+-]\d\d)$", out, re.M)]
    assert len(values) == 19 and max(values) < TOL


def test_figures():
    assert len(rc.plot_grad_norms().axes[0].get_lines()) == 8  # 4 measured, 4 predicted by eq. (7)
    assert len(rc.plot_stream().axes[0].get_lines()) == 3   # the pre-LN cases; the 4th is off the scale
