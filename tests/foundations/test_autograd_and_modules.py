"""Tests for code/foundations/autograd_and_modules.py: the from-scratch Module mirrors nn.Module, and
autograd's rules (accumulation, no_grad, detach, retain_graph) and the classic mistakes behave as the page says."""
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import autograd_and_modules as am

MODULE = Path(am.__file__)
TOL = 1e-12                                        # float64: only rounding may differ


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def build(sizes, N=6, seed=0, **kwargs):
    """Our mlp, its PyTorch twin, and a float64 batch."""
    ours = am.mlp(sizes, seed=seed, **kwargs)
    return ours, am.to_torch(ours), rand(N, sizes[0], seed=seed + 1), rand(N, sizes[-1], seed=seed + 2)


SIZES = [[3, 4, 2], [2, 1], [5, 8, 8, 3], [1, 3, 1]]


# --- the from-scratch Module mirrors nn.Sequential ----------------------------------------------

@pytest.mark.parametrize("sizes", SIZES)
def test_names_shapes_and_state_dict_keys_equal_pytorch(sizes):
    ours, net, _, _ = build(sizes)
    names = [n for n, _ in ours.named_parameters()]
    assert names == [n for n, _ in net.named_parameters()]
    assert names[:2] == ["0.weight", "0.bias"] and "1.weight" not in names  # ReLU at index 1: no parameters
    assert [p.data.shape for p in ours.parameters()] == [tuple(p.shape) for p in net.parameters()]
    assert list(ours.state_dict()) == list(net.state_dict())
    first = next(iter(ours))
    assert first.weight.data.shape == (sizes[1], sizes[0])             # (out_features, in_features)
    assert first.bias.data.shape == (sizes[1],)


def test_nested_names_are_dotted_paths_in_pytorch_order():
    class Net(am.Module):                           # the from-scratch twin of am.MLP
        def __init__(self):
            super().__init__()
            self.layers = am.ModuleList([am.Linear(2, 3), am.Linear(3, 1)])
            self.scale = am.Parameter(np.ones(1))

    ours, theirs = Net(), am.MLP([2, 3, 1])
    expected = ["scale", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert [n for n, _ in ours.named_parameters()] == expected          # own first, then children
    assert [n for n, _ in theirs.named_parameters()] == expected
    assert [p.data.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]


@pytest.mark.parametrize("sizes", SIZES)
def test_forward_equals_nn_sequential(sizes):
    ours, net, X, _ = build(sizes)
    out = ours(X)
    assert out.shape == (6, sizes[-1])
    assert np.abs(out - net(torch.from_numpy(X)).detach().numpy()).max() < TOL


def test_linear_matches_nn_linear_and_its_default_range():
    lin = am.Linear(4, 3, np.random.default_rng(5))
    assert np.abs(lin.weight.data).max() <= 0.5 and np.abs(lin.bias.data).max() <= 0.5   # 1/sqrt(4)
    torch_lin = nn.Linear(4, 3, dtype=torch.float64)
    torch_lin.load_state_dict({k: torch.from_numpy(v) for k, v in lin.state_dict().items()})
    X = rand(5, 4)
    assert np.abs(lin(X) - torch_lin(torch.from_numpy(X)).detach().numpy()).max() < TOL


@pytest.mark.parametrize("sizes", SIZES)
def test_hand_written_backward_equals_autograd(sizes):
    ours, net, X, Y = build(sizes)
    Xt = torch.tensor(X, requires_grad=True)
    J, dY_hat = am.mse_loss(ours(X), Y)
    dX = ours.backward(dY_hat)
    loss = F.mse_loss(net(Xt), torch.from_numpy(Y))
    loss.backward()
    assert abs(J - loss.item()) < TOL
    theirs = dict(net.named_parameters())
    for name, p in ours.named_parameters():
        assert p.grad.shape == p.data.shape
        assert np.abs(p.grad - theirs[name].grad.numpy()).max() < TOL, name
    assert np.abs(dX - Xt.grad.numpy()).max() < TOL


def test_hand_written_backward_equals_finite_differences():
    ours, _, X, Y = build([3, 4, 2])
    ours.backward(am.mse_loss(ours(X), Y)[1])
    h = 1e-6
    for name, p in ours.named_parameters():
        numeric = np.zeros_like(p.data)
        for k in np.ndindex(p.data.shape):
            old = p.data[k]
            p.data[k] = old + h
            plus = am.mse_loss(ours(X), Y)[0]
            p.data[k] = old - h
            minus = am.mse_loss(ours(X), Y)[0]
            p.data[k] = old
            numeric[k] = (plus - minus) / (2 * h)
        assert np.abs(p.grad - numeric).max() < 1e-8, name


@pytest.mark.parametrize("sizes", SIZES)
def test_training_steps_equal_torch_optim_sgd(sizes):
    ours, net, X, Y = build(sizes)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
    before = {k: v.copy() for k, v in ours.state_dict().items()}
    losses = []
    for _ in range(4):
        J = am.train_step(ours, X, Y, lr=0.05)
        assert abs(J - am.torch_train_step(net, optimizer, Xt, Yt)) < TOL
        losses.append(J)
        for k, v in net.state_dict().items():
            assert np.abs(ours.state_dict()[k] - v.numpy()).max() < TOL, k
    assert losses[-1] < losses[0]                                       # it really trained
    assert any(np.abs(before[k] - v).max() > 1e-6 for k, v in ours.state_dict().items())


def test_train_step_is_eq_4_by_hand():
    ours, _, X, Y = build([2, 3, 1])
    ours.backward(am.mse_loss(ours(X), Y)[1])
    expected = {n: p.data - 0.1 * p.grad for n, p in ours.named_parameters()}
    am.train_step(ours, X, Y, lr=0.1)
    for n, p in ours.named_parameters():
        assert np.abs(p.data - expected[n]).max() < TOL


# --- .grad accumulates; zero_grad -----------------------------------------------------------------

def test_grad_accumulates_two_backward_calls_equal_twice_one_ours_and_torch():
    ours, net, X, Y = build([3, 4, 2])
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    ours.backward(am.mse_loss(ours(X), Y)[1])
    F.mse_loss(net(Xt), Yt).backward()
    once = [p.grad.copy() for p in ours.parameters()]
    once_t = [p.grad.clone() for p in net.parameters()]
    ours.backward(am.mse_loss(ours(X), Y)[1])
    F.mse_loss(net(Xt), Yt).backward()
    for g1, p, g1_t, p_t in zip(once, ours.parameters(), once_t, net.parameters()):
        assert np.abs(g1).max() > 0
        assert np.abs(p.grad - 2 * g1).max() < TOL
        assert torch.allclose(p_t.grad, 2 * g1_t, atol=TOL, rtol=0)
        assert np.abs(p.grad - p_t.grad.numpy()).max() < TOL


def test_zero_grad_sets_none_like_pytorch():
    ours, net, X, Y = build([3, 2])
    ours.backward(am.mse_loss(ours(X), Y)[1])
    F.mse_loss(net(torch.from_numpy(X)), torch.from_numpy(Y)).backward()
    assert all(p.grad is not None for p in ours.parameters())
    ours.zero_grad()
    torch.optim.SGD(net.parameters(), lr=0.1).zero_grad(set_to_none=True)
    assert all(p.grad is None for p in ours.parameters())
    assert all(p.grad is None for p in net.parameters())


def test_sgd_skips_parameters_without_grad():
    p, q = am.Parameter([1.0, 2.0]), am.Parameter([3.0])
    p.grad = np.array([1.0, -1.0])
    am.sgd_step([p, q], lr=0.5)
    assert p.data.tolist() == [0.5, 2.5] and q.data.tolist() == [3.0]


# --- autograd in PyTorch ----------------------------------------------------------------------------

def test_autograd_tour_grad_is_2zx(capsys):
    w = am.autograd_tour()
    x = torch.tensor([3.0, 1.0, 2.0], dtype=torch.float64)
    assert torch.equal(w.grad, 2 * (w.detach() * x) * x)
    out = capsys.readouterr().out
    assert "w.is_leaf True | x.requires_grad False | z.is_leaf False | z.requires_grad True" in out
    assert [line.strip() for line in out.splitlines()[1:6]] == [
        "SumBackward0", "PowBackward0", "MulBackward0", "AccumulateGrad w (3,)", "no grad"]


def test_graph_of_the_mlp_names_every_parameter():
    ours, net, X, Y = build([3, 4, 2])
    loss = F.mse_loss(net(torch.from_numpy(X)), torch.from_numpy(Y))
    rows = am.graph(loss.grad_fn, {id(p): n for n, p in net.named_parameters()})
    labels = [label for _, label, _ in rows]
    assert labels[0] == "MseLossBackward0" and rows[0][2] is None
    for name in ["0.weight", "0.bias", "2.weight", "2.bias"]:
        assert sum(name in label for label in labels) == 1
    assert labels.count("no grad") == 2                                 # X and Y need no gradient
    for depth, _, parent in rows[1:]:
        assert rows[parent][0] == depth - 1                             # a parent is one level up


def test_backward_rules(capsys):
    w = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    v = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)
    twice = am.backward_rules()
    assert torch.equal(twice, 2 * (2 * w * v))                          # eq. (2), accumulated twice
    out = capsys.readouterr().out
    assert "RuntimeError: grad can be implicitly created only for scalar outputs" in out
    assert "w.grad = [ 2.  0. -6.]" in out
    assert "a third time: RuntimeError: Trying to backward through the graph a second time" in out


def test_backward_with_gradient_is_grad_of_v_dot_y():
    w = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    v = torch.tensor([2.0, 1.0, -3.0], dtype=torch.float64)
    (torch.sin(w) * w).backward(gradient=v)
    vjp = w.grad.clone()
    w.grad = None
    ((torch.sin(w) * w) * v).sum().backward()
    assert torch.allclose(vjp, w.grad, atol=TOL, rtol=0)
    J = torch.autograd.functional.jacobian(lambda t: torch.sin(t) * t, w.detach())
    assert torch.allclose(vjp, J.T @ v, atol=TOL, rtol=0)               # Jᵀ v


def test_no_grad_inference_mode_detach_and_manual_update(capsys):
    found = am.no_grad_and_detach()
    assert found["y.grad_fn under no_grad"] is None
    assert found["u.is_inference()"] is True
    assert found["d.requires_grad"] is False and found["d shares w's memory"] is True
    assert torch.equal(found["w.grad of sg(w)·w"], torch.tensor([1.0, -1.0], dtype=torch.float64))
    assert "a leaf Variable that requires grad is being used in an in-place operation" in found["w -= 0.1 * w.grad"]
    w, is_leaf = found["the same under no_grad: w, w.is_leaf"]
    assert is_leaf and torch.allclose(w, torch.tensor([0.9, -0.9], dtype=torch.float64), atol=TOL)
    assert "d shares w's memory: True" in capsys.readouterr().out


def test_no_grad_outputs_have_no_grad_fn_and_eval_outputs_do():
    net = nn.Linear(3, 2)
    with torch.no_grad():
        out = net(torch.ones(1, 3))
    assert out.grad_fn is None and not out.requires_grad
    with torch.inference_mode():
        assert net(torch.ones(1, 3)).grad_fn is None
    assert net.eval()(torch.ones(1, 3)).grad_fn is not None             # eval() is not no_grad


def test_detach_shares_storage_and_stops_the_gradient():
    w = torch.tensor([1.0, 2.0, -3.0], dtype=torch.float64, requires_grad=True)
    d = w.detach()
    assert d.untyped_storage().data_ptr() == w.untyped_storage().data_ptr()
    assert not d.requires_grad and d.grad_fn is None
    (w * w).sum().backward()
    full = w.grad.clone()
    w.grad = None
    (w.detach() * w).sum().backward()                                   # eq. (5)
    assert torch.equal(full, 2 * w.detach()) and torch.equal(w.grad, w.detach())
    d[0] = 10.0                                                         # writes into w as well
    assert w[0].item() == 10.0


# --- nn.Module machinery ------------------------------------------------------------------------------

def test_module_list_registers_and_plain_list_does_not(capsys):
    good, bad, changed = am.list_pitfall()
    assert good == ["scale (1,)", "layers.0.weight (3, 2)", "layers.0.bias (3,)",
                    "layers.1.weight (1, 3)", "layers.1.bias (1,)"]
    assert bad == ["scale (1,)"] and changed is False
    torch.manual_seed(0)                                                # with ModuleList, SGD does move them
    net = am.MLP([2, 3, 1])
    before = net.layers[0].weight.detach().clone()
    am.torch_train_step(net, torch.optim.SGD(net.parameters(), lr=0.1), torch.randn(8, 2), torch.randn(8, 1))
    assert not torch.equal(before, net.layers[0].weight)
    am.modules_tour()
    out = capsys.readouterr().out
    assert "plain list: scale (1,)\n" in out and "training flags [False, False, False, False]" in out
    assert "output requires_grad True" in out


def test_plain_list_pitfall_in_the_from_scratch_module_too():
    class WithList(am.Module):
        def __init__(self, container):
            super().__init__()
            self.layers = container([am.Linear(2, 3), am.Linear(3, 1)])

    assert [n for n, _ in WithList(list).named_parameters()] == []
    assert len(list(WithList(am.ModuleList).named_parameters())) == 4


def test_forgotten_super_init_raises_in_both():
    class NoSuper(am.Module):
        def __init__(self):
            self.fc = am.Linear(2, 1)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        NoSuper()
    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\) call"):
        am.NoSuper()


def test_state_dict_round_trip_through_a_temporary_file():
    torch.manual_seed(0)
    make = lambda: am.MLP([3, 4, 2])
    net = make()
    fresh = am.save_and_load(net, make)
    assert fresh is not net
    other = make()
    assert not torch.equal(other.layers[0].weight, net.layers[0].weight)  # a fresh model differs...
    assert list(fresh.state_dict()) == list(net.state_dict())
    for k, v in net.state_dict().items():
        assert torch.equal(fresh.state_dict()[k], v), k                  # ...until it loads the file
    X = torch.randn(5, 3)
    assert torch.equal(fresh(X), net(X))


def test_state_dict_shares_memory_like_pytorch():
    ours = am.mlp([2, 2])
    state = ours.state_dict()
    am.train_step(ours, rand(3, 2), rand(3, 2), lr=0.5)
    assert state["0.weight"] is next(iter(ours)).weight.data           # the array itself, not a copy
    net = nn.Linear(2, 2)
    assert net.state_dict()["weight"].data_ptr() == net.weight.data_ptr()


def test_load_state_dict_from_pytorch_into_ours_and_its_errors():
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    ours = am.mlp([3, 4, 2], seed=7)
    ours.load_state_dict(net.state_dict())
    X = rand(4, 3)
    assert np.abs(ours(X) - net(torch.from_numpy(X)).detach().numpy()).max() < TOL
    with pytest.raises(ValueError, match=r"missing \['2.bias'\], unexpected \['2.b'\]"):
        state = dict(ours.state_dict())
        state["2.b"] = state.pop("2.bias")
        ours.load_state_dict(state)
    with pytest.raises(ValueError, match=r"0.weight must have shape \(4, 3\), got \(3, 4\)"):
        ours.load_state_dict({**ours.state_dict(), "0.weight": np.zeros((3, 4))})


def test_state_tour_and_module_to(capsys):
    am.state_tour()
    out = capsys.readouterr().out
    assert "outputs equal: True" in out
    assert "linear.to(...) is linear: True, weight now torch.float64" in out
    assert "t stays torch.float32" in out


# --- bad input -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("X, match", [
    (np.ones((5, 4)), r"Linear\(in_features=3, out_features=4\) expects X of shape \(N, 3\), got \(5, 4\)"),
    (np.ones(3), r"expects X of shape \(N, 3\), got \(3,\)"),
    (np.ones((2, 3, 1)), r"expects X of shape \(N, 3\), got \(2, 3, 1\)"),
])
def test_wrong_input_width_raises_a_clear_error(X, match):
    with pytest.raises(ValueError, match=match):
        am.mlp([3, 4, 2])(X)


def test_wrong_input_width_in_a_later_layer():
    model = am.Sequential(am.Linear(3, 4), am.ReLU(), am.Linear(5, 1))
    with pytest.raises(ValueError, match=r"Linear\(in_features=5, out_features=1\) expects X of shape \(N, 5\), got \(2, 4\)"):
        model(np.ones((2, 3)))


def test_mse_loss_shape_mismatch():
    with pytest.raises(ValueError, match=r"Y must have the shape of Y_hat \(4, 2\), got \(4,\)"):
        am.mse_loss(np.zeros((4, 2)), np.zeros(4))


def test_large_values_stay_finite_and_exact():
    ours, net, X, Y = build([3, 4, 2])
    X, Y = X * 1e4, Y * 1e4
    J, _ = am.mse_loss(ours(X), Y)
    ref = F.mse_loss(net(torch.from_numpy(X)), torch.from_numpy(Y)).item()
    assert np.isfinite(J) and abs(J - ref) <= 1e-12 * ref


# --- pitfalls -------------------------------------------------------------------------------------------

def test_pitfalls_printout_is_numbered_as_on_the_page(capsys):
    am.pitfalls()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [f"{i}." for i in range(1, 10)]
    assert lines[0].endswith("= [2.0]")
    assert "in-place operation" in lines[1]
    assert lines[2].endswith("= (False, None)")
    assert lines[3].endswith("False") and lines[4].endswith("True")
    assert "Use tensor.detach()" not in lines[5] and "Can't call numpy()" in lines[5]
    assert "modified by an inplace operation" in lines[6]
    assert "before Module.__init__() call" in lines[7]
    assert lines[8].endswith("True")


def test_state_dict_snapshot_needs_deepcopy():
    import copy
    torch.manual_seed(0)
    net, X, Y = nn.Linear(3, 1), torch.randn(4, 3), torch.randn(4, 1)
    best, snapshot = net.state_dict(), copy.deepcopy(net.state_dict())
    am.torch_train_step(net, torch.optim.SGD(net.parameters(), lr=0.1), X, Y)
    assert torch.equal(best["weight"], net.weight)                      # moved along with the model
    assert not torch.equal(snapshot["weight"], net.weight)              # the deep copy did not


def test_rebinding_makes_a_non_leaf_without_grad():
    assert am.pitfall_rebinding() == (False, None)
    w = torch.ones(2, requires_grad=True)
    w = w - 0.1                                                         # recorded: not a leaf any more
    (w * w).sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert w.grad is None


def test_plain_list_layers_are_not_converted_by_to():
    bad, good = am.MLP([2, 3, 1], container=list).double(), am.MLP([2, 3, 1]).double()
    assert bad.layers[0].weight.dtype == torch.float32 and bad.scale.dtype == torch.float64
    assert good.layers[0].weight.dtype == torch.float64
    assert not any(k.startswith("layers") for k in bad.state_dict())


# --- exercises ------------------------------------------------------------------------------------------

def test_exercise_leaf_quiz_answer():
    # the answer table on the page: (is_leaf, requires_grad, has .grad after d.backward())
    a = torch.ones(2, requires_grad=True)
    b = a * 2
    c = torch.ones(2)
    d = (b + c).sum()
    e = b.detach()
    with torch.no_grad():
        f = a * 2
    d.backward()
    table = {k: (t.is_leaf, t.requires_grad, t.is_leaf and t.grad is not None)
             for k, t in dict(a=a, b=b, c=c, d=d, e=e, f=f).items()}
    assert table == {"a": (True, True, True), "b": (False, True, False), "c": (True, False, False),
                     "d": (False, True, False), "e": (True, False, False), "f": (True, False, False)}
    assert torch.equal(a.grad, torch.full((2,), 2.0))


@pytest.mark.parametrize("K", [1, 2, 3, 6])
def test_exercise_microbatches_give_the_full_batch_gradient(K):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    X, Y = torch.randn(6, 3, dtype=torch.float64), torch.randn(6, 2, dtype=torch.float64)
    grads = am.microbatch_grads(net, X, Y, K)
    net.zero_grad()
    F.mse_loss(net(X), Y).backward()
    for g, p in zip(grads, net.parameters()):
        assert torch.allclose(g, p.grad, atol=TOL, rtol=0)


def test_exercise_microbatches_without_scaling_would_be_K_times_too_big():
    torch.manual_seed(0)
    net = nn.Linear(3, 1, dtype=torch.float64)
    X, Y = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 1, dtype=torch.float64)
    F.mse_loss(net(X), Y).backward()
    full = net.weight.grad.clone()
    net.zero_grad()
    for X_k, Y_k in zip(X.chunk(2), Y.chunk(2)):
        F.mse_loss(net(X_k), Y_k).backward()                            # no / K
    assert torch.allclose(net.weight.grad, 2 * full, atol=TOL, rtol=0)


def test_exercise_freezing_the_first_layer():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    net[0].requires_grad_(False)
    X, Y = torch.randn(5, 3), torch.randn(5, 2)
    labels = [label for _, label, _ in am.graph(F.mse_loss(net(X), Y).grad_fn,
                                                {id(p): n for n, p in net.named_parameters()})]
    assert not any("Relu" in label or "0.weight" in label or "0.bias" in label for label in labels)
    assert sum("AccumulateGrad" in label for label in labels) == 2     # 2.weight and 2.bias only
    before = {k: v.clone() for k, v in net.state_dict().items()}
    am.torch_train_step(net, torch.optim.SGD(net.parameters(), lr=0.1), X, Y)  # all parameters passed
    assert net[0].weight.grad is None and net[0].bias.grad is None
    assert torch.equal(net[0].weight, before["0.weight"]) and torch.equal(net[0].bias, before["0.bias"])
    assert not torch.equal(net[2].weight, before["2.weight"])


def test_exercise_microbatches_bad_K():
    with pytest.raises(ValueError, match="N = 5 examples must split into K = 2 equal micro-batches"):
        am.microbatch_grads(nn.Linear(3, 1), torch.randn(5, 3), torch.randn(5, 1), 2)


def test_exercise_tanh_module_trains_like_nn_tanh():
    rng = np.random.default_rng(3)
    ours = am.Sequential(am.Linear(3, 5, rng), am.Tanh(), am.Linear(5, 2, rng))
    net = am.to_torch(ours)
    assert isinstance(net[1], nn.Tanh)
    X, Y = rand(7, 3, seed=4), rand(7, 2, seed=5)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.2)
    for _ in range(3):
        J = am.train_step(ours, X, Y, lr=0.2)
        assert abs(J - am.torch_train_step(net, optimizer, torch.from_numpy(X), torch.from_numpy(Y))) < TOL
    for k, v in net.state_dict().items():
        assert np.abs(ours.state_dict()[k] - v.numpy()).max() < TOL


def test_exercise_tanh_backward_matches_finite_differences():
    Z, dA, h = rand(4, 3), rand(4, 3, seed=1), 1e-6
    tanh = am.Tanh()
    tanh(Z)
    numeric = (np.tanh(Z + h) - np.tanh(Z - h)) / (2 * h) * dA           # elementwise map
    assert np.abs(tanh.backward(dA) - numeric).max() < 1e-8


# --- figure and command line -----------------------------------------------------------------------------

def test_figure_draws_every_node():
    import matplotlib.pyplot as plt
    fig = am.plot_graph()
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text()]   # annotations (arrows) are empty
    assert len(texts) == 12 and sum("AccumulateGrad" in t for t in texts) == 4
    plt.close(fig)




def test_check_mode_reports_tiny_differences(run_main):
    out = run_main(MODULE, "--check")
    assert "names, shapes and state_dict keys equal to nn.Sequential's: True" in out
    values = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("  ")]
    assert len(values) == 14 and max(values) < 1e-12


def test_demo_prints_names_losses_and_the_error(run_main):
    out = run_main(MODULE)
    assert "0.weight  shape (4, 3)" in out and "2.bias    shape (2,)" in out
    losses = [float(x) for x in out.split("loss per SGD step [")[1].split("]")[0].split(",")]
    assert len(losses) == 5 and all(b < a for a, b in zip(losses, losses[1:]))
    assert "ValueError: Linear(in_features=3, out_features=4) expects X of shape (N, 3), got (5, 4)" in out


@pytest.mark.parametrize("flag, expected", [
    ("--pitfalls", "9. best = net.state_dict()"), ("--autograd", "AccumulateGrad w (3,)"),
    ("--rules", "retain_graph=True"), ("--no-grad", "u.is_inference(): True"),
    ("--modules", "plain list: scale (1,)"), ("--state", "outputs equal: True"),
])
def test_every_command_line_flag_prints_its_tour(run_main, flag, expected):
    assert expected in run_main(MODULE, flag)
