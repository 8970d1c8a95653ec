"""Tests for code/training/debugging_training.py: the from-scratch losses and gradients against PyTorch (float64)
and finite differences; the debugging tools (gradient norms, dead-unit counter, NaN hooks, overfit one batch);
every bug of the gallery shows its symptom and its fix works; bad input; the loss-curve runs; the exercises."""
import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import debugging_training as dt

TOL = 1e-12                                          # float64: only rounding may differ
LN10 = math.log(10)


def rand_logits(N=6, C=4, seed=0, scale=2.0):
    rng = np.random.default_rng(seed)
    return scale * rng.normal(size=(N, C)), rng.integers(0, C, N)


def autograd(f, x):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    f(x).backward()
    return x.grad.numpy()


# --- cross-entropy, ln C and the class prior ------------------------------------------------------------

def test_log_softmax_and_cross_entropy_match_pytorch():
    Z, y = rand_logits()
    assert np.abs(dt.log_softmax(Z) - F.log_softmax(torch.tensor(Z), dim=1).numpy()).max() < TOL
    assert abs(dt.cross_entropy(Z, y) - F.cross_entropy(torch.tensor(Z), torch.tensor(y)).item()) < TOL


def test_cross_entropy_grad_matches_autograd_and_finite_differences(finite_difference):
    Z, y = rand_logits(seed=1)
    ours = dt.cross_entropy_grad(Z, y)
    assert np.abs(ours - autograd(lambda v: F.cross_entropy(v, torch.tensor(y)), Z)).max() < TOL
    assert np.abs(ours - finite_difference(lambda v: dt.cross_entropy(v, y), Z)).max() < 1e-8


def test_extreme_logits_stay_finite_and_exact():
    Z, y = np.array([[1e4, -1e4, 0.0], [0.0, 1e4, -1e4]]), np.array([1, 1])
    assert dt.cross_entropy(Z, y) == pytest.approx((2e4 + 0.0) / 2, abs=1e-9)    # losses 2e4 and 0
    grad = dt.cross_entropy_grad(Z, y)
    assert np.isfinite(grad).all()
    assert np.allclose(grad, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)
    assert np.isfinite(dt.log_softmax(Z)).all()


def test_uniform_prediction_costs_ln_C():
    y = torch.arange(20) % 10
    assert dt.uniform_loss(10) == pytest.approx(LN10, abs=TOL)
    assert F.cross_entropy(torch.zeros(20, 10, dtype=torch.float64), y).item() == pytest.approx(LN10, abs=TOL)


def test_prior_loss_is_the_best_input_free_loss_and_at_most_ln_C():
    y = np.array([0, 0, 0, 1, 2, 2])
    pi = np.bincount(y, minlength=4) / len(y)
    with np.errstate(divide="ignore"):
        best = F.cross_entropy(torch.tensor(np.log(pi)).expand(6, 4), torch.tensor(y)).item()
    assert dt.prior_loss(y, 4) == pytest.approx(best, abs=TOL)
    assert dt.prior_loss(y, 4) < math.log(4)
    rng = np.random.default_rng(0)
    for _ in range(50):                                   # Gibbs: any other constant prediction is worse
        q = rng.normal(size=4)
        assert dt.cross_entropy(np.tile(q, (6, 1)), y) >= dt.prior_loss(y, 4) - TOL
    assert dt.prior_loss(np.arange(20) % 10, 10) == pytest.approx(LN10, abs=TOL)   # balanced: exactly ln C


# --- double softmax ------------------------------------------------------------------------------------

def test_double_softmax_loss_and_grad_match_pytorch(finite_difference):
    Z, y = rand_logits(seed=2)
    yt = torch.tensor(y)
    buggy = lambda v: F.cross_entropy(torch.softmax(v, dim=1), yt)               # noqa: E731
    assert abs(dt.double_softmax_loss(Z, y) - buggy(torch.tensor(Z)).item()) < TOL
    ours = dt.double_softmax_grad(Z, y)
    assert np.abs(ours - autograd(buggy, Z)).max() < TOL
    assert np.abs(ours - finite_difference(lambda v: dt.double_softmax_loss(v, y), Z)).max() < 1e-8


@pytest.mark.parametrize("C", [2, 3, 10, 100])
def test_double_softmax_floor_is_reached_and_never_beaten(C):
    floor = dt.double_softmax_floor(C)
    assert floor == pytest.approx(math.log(1 + (C - 1) / math.e), abs=TOL)
    Z, y = 1e4 * np.eye(C)[:2], np.array([0, 1])            # confident and right: exactly the floor
    assert dt.double_softmax_loss(Z, y) == pytest.approx(floor, abs=1e-12)
    for seed in range(10):
        Z, y = rand_logits(8, C, seed=seed, scale=10.0)
        assert dt.double_softmax_loss(Z, y) >= floor - TOL


def test_double_softmax_gradient_vanishes_at_the_floor():
    Z, y = 30.0 * np.eye(10)[:3], np.array([0, 1, 2])        # the buggy model is confident and right
    assert dt.double_softmax_loss(Z, y) > dt.double_softmax_floor(10) - 1e-9
    assert np.abs(dt.double_softmax_grad(Z, y)).max() < 1e-10
    assert np.abs(dt.cross_entropy_grad(Z[:, :] * 0, y)).max() > 0.01   # the correct loss still has a gradient


# --- broadcasting MSE ---------------------------------------------------------------------------------

def test_broadcast_mse_is_what_pytorch_computes_and_it_warns():
    rng = np.random.default_rng(3)
    y_hat, y = rng.normal(size=(5, 1)), rng.normal(size=5)
    with pytest.warns(UserWarning, match="different to the input size"):
        theirs = F.mse_loss(torch.tensor(y_hat), torch.tensor(y)).item()
    assert abs(dt.broadcast_mse(y_hat, y) - theirs) < TOL
    with pytest.warns(UserWarning, match="different to the input size"):      # the mirror case warns too
        F.mse_loss(torch.tensor(y), torch.tensor(y_hat))


def test_broadcast_mse_grad_and_decomposition(finite_difference):
    rng = np.random.default_rng(4)
    y_hat, y = rng.normal(size=(6, 1)), rng.normal(size=6)
    ours = dt.broadcast_mse_grad(y_hat, y)
    with pytest.warns(UserWarning):
        assert np.abs(ours - autograd(lambda v: F.mse_loss(v, torch.tensor(y)), y_hat)).max() < TOL
    assert np.abs(ours - finite_difference(lambda v: dt.broadcast_mse(v, y), y_hat)).max() < 1e-8
    # eq. (11): mean (y_hat - mean y)^2 + Var(y); a perfect prediction scores 2 Var(y), not 0
    assert dt.broadcast_mse(y_hat, y) == pytest.approx(np.mean((y_hat - y.mean()) ** 2) + y.var(), abs=TOL)
    assert dt.broadcast_mse(y[:, None], y) == pytest.approx(2 * y.var(), abs=TOL)
    assert dt.broadcast_mse(np.full((6, 1), y.mean()), y) == pytest.approx(y.var(), abs=TOL)


# --- forgotten zero_grad ------------------------------------------------------------------------------

def test_backward_without_zero_grad_sums_the_gradients():
    model = nn.Linear(3, 1).double()
    X = torch.randn(4, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    grads = []
    for k in range(3):
        loss = (model(X * (k + 1)) ** 2).mean()
        grads.append(torch.autograd.grad(loss, model.weight)[0])
    for k in range(3):
        (model(X * (k + 1)) ** 2).mean().backward()
    assert torch.allclose(model.weight.grad, sum(grads), atol=TOL)


def test_accumulated_descent_matches_pytorch_and_never_settles():
    assert np.abs(dt.accumulated_descent(2.0, 0.3, steps=20) - dt._accumulate_torch(2.0, 0.3, 20)).max() < TOL
    for eta_lam in (0.1, 1.0, 3.0):                         # eq. (10): |r| = 1, the swing does not decay
        assert np.allclose(np.abs(np.roots([1, -(2 - eta_lam), 1])), 1.0)
        theta = dt.accumulated_descent(1.0, eta_lam, steps=400)
        assert np.abs(theta[-100:]).max() > 0.5
    assert np.abs(dt.accumulated_descent(1.0, 4.5, steps=60)[-1]) > 1e6      # ηλ > 4: it diverges
    theta = dt.accumulated_descent(1.0, 1.0, steps=12)       # ηλ = 1: period 6
    assert np.allclose(theta, [1, 0, -1, -1, 0, 1, 1, 0, -1, -1, 0, 1, 1], atol=1e-12)


# --- gradient norms, dead units, NaN hunting ---------------------------------------------------------

def backward_model():
    model = dt.mlp(16, 32, 32, 10).double()
    X = torch.randn(8, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    F.cross_entropy(model(X), torch.arange(8) % 10).backward()
    return model, X


def test_gradient_norms_match_pytorch():
    model, _ = backward_model()
    norms = dt.gradient_norms(model)
    assert list(norms) == [name for name, _ in model.named_parameters()]
    for name, p in model.named_parameters():
        assert norms[name] == pytest.approx(torch.linalg.vector_norm(p.grad).item(), abs=TOL)
    grads = [p.grad for p in model.parameters()]
    assert dt.total_norm(norms) == pytest.approx(nn.utils.get_total_norm(grads).item(), abs=TOL)
    assert dt.total_norm(norms) == pytest.approx(nn.utils.clip_grad_norm_(model.parameters(), math.inf).item(),
                                                 abs=TOL)


def test_gradient_norms_bad_input():
    with pytest.raises(TypeError, match="nn.Module"):
        dt.gradient_norms([torch.zeros(2)])
    with pytest.raises(ValueError, match="loss.backward"):
        dt.gradient_norms(nn.Linear(2, 2))


def test_dead_fraction_and_count_dead_agree_and_clean_up():
    model, X = backward_model()
    with torch.no_grad():
        model[0].bias[:8] = -100.0                            # 8 of 32 units dead
    Z1 = model[0](X).detach().numpy()
    assert dt.dead_fraction(Z1) == pytest.approx(8 / 32)
    assert dt.count_dead(model, X) == {"1": pytest.approx(8 / 32), "3": pytest.approx(dt.dead_fraction(
        model[2](model[1](model[0](X))).detach().numpy()))}
    assert all(not m._forward_hooks for m in model.modules())   # the hooks are gone
    assert dt.dead_fraction(np.array([[0.0, 1.0], [0.0, -1.0]])) == 0.5      # z = 0 counts as dead
    with pytest.raises(ValueError, match=r"shape \(N, m\)"):
        dt.dead_fraction(np.zeros(3))


def test_assert_finite_and_nan_guard_name_the_culprit():
    dt.assert_finite("fine", torch.ones(3))
    with pytest.raises(FloatingPointError, match=r"^x: 2 of 3 values are nan or inf"):
        dt.assert_finite("x", torch.tensor([1.0, float("nan"), float("inf")]))
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    handles = dt.nan_guard(model)
    model(torch.ones(1, 2))                                  # finite: no error
    with torch.no_grad():
        model[2].weight.fill_(float("inf"))
    with pytest.raises(FloatingPointError, match=r"module '2' \(Linear\)"):
        model(torch.ones(1, 2))
    for handle in handles:
        handle.remove()
    assert not torch.isfinite(model(torch.ones(1, 2))).all()  # removed: no more raising


def test_overfit_one_batch_refuses_a_large_batch():
    with pytest.raises(ValueError, match="1 to 64 examples, got 65"):
        dt.overfit_one_batch(dt.mlp(16, 4, 10), *dt.blobs(65))


# --- bad input --------------------------------------------------------------------------------------

def test_bad_class_targets_raise_clear_errors():
    Z = np.zeros((3, 4))
    with pytest.raises(TypeError, match="integer class indices"):
        dt.cross_entropy(Z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"\[0, C\) = \[0, 4\), got 4"):
        dt.cross_entropy(Z, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match=r"shape \(N,\) = \(3,\)"):
        dt.cross_entropy(Z, np.array([[0], [1], [2]]))
    with pytest.raises(ValueError, match=r"shape \(N, C\)"):
        dt.double_softmax_grad(np.zeros(4), np.array([0]))
    with pytest.raises(ValueError, match=r"\(N, 1\) against y of shape \(N,\)"):
        dt.broadcast_mse(np.zeros(3), np.zeros(3))


@pytest.mark.parametrize("kwargs, match", [({"lr": 0}, "lr must be"), ({"lr": float("nan")}, "lr must be"),
                                           ({"steps": 0}, "steps must be"), ({"steps": 2.5}, "steps must be")])
def test_train_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dt.train(dt.mlp(16, 4, 10), *dt.blobs(20), **kwargs)


def test_bad_class_counts():
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="C must be a positive finite integer"):
            dt.double_softmax_floor(bad)
    with pytest.raises(ValueError, match="C must be"):
        dt.uniform_loss(-3)


# --- the gallery: each bug shows its symptom, each fix works -------------------------------------------

@pytest.fixture(scope="module")
def gallery():
    return {name: bug() for name, bug in dt.GALLERY.items()}


def test_double_softmax_symptom_and_fix(gallery):
    r = gallery["double_softmax"]
    floor, buggy, fixed = r["floor log(1 + 9/e), eq. (5)"], r["buggy: loss after 150 steps"], r["fixed: loss after 150 steps"]
    assert floor - 1e-4 <= buggy < floor + 0.02                 # stuck at the floor
    assert fixed < 0.05
    assert r["buggy: gradient norm at step 0"] < 0.25 * r["fixed: gradient norm at step 0"]


def test_stale_optimizer_sits_exactly_at_ln_C(gallery):
    r = gallery["stale_optimizer"]
    assert r["buggy: first and last loss"] == pytest.approx((LN10, LN10), abs=1e-6)
    assert r["fixed: last loss"] < 0.05


def test_zero_grad_symptom_and_fix(gallery):
    r = gallery["zero_grad"]
    best = r["lowest possible loss (least squares)"]
    buggy_last, buggy_swing = r["buggy: last loss, max - min of the last 20"]
    fixed_last, fixed_swing = r["fixed: last loss, max - min of the last 20"]
    assert fixed_last == pytest.approx(best, rel=1e-3) and fixed_swing < 1e-3
    assert buggy_last > 2 * best and buggy_swing > 1.0


def test_eval_mode_symptom_and_fix(gallery):
    r = gallery["eval_mode"]
    right, again = r["eval(): accuracy, twice"]
    assert right == again and right > 0.9                      # deterministic and good
    assert max(r["train(): accuracy, 4 calls"]) < right         # noisy and worse
    assert len(set(r["train(): accuracy, 4 calls"])) > 1
    assert r["train(): share of predictions that change between 2 calls"] > 0.05
    assert r["train(): batch-norm running mean moved by"] > 1e-3
    assert "Expected more than 1 value per channel when training" in r["train(): one example"]


def test_class_target_errors_and_the_silent_case(gallery):
    r = gallery["class_targets"]
    assert re.search("Long", r["targets float32 (N,)"]) and re.search("Long", r["targets int32 (N,)"])
    assert "multi-target" in r["targets int64 (N, 1)"]
    assert r["silent: loss(2 * one_hot) / loss(y)"] == pytest.approx(2.0, abs=1e-6)
    assert np.isfinite(r["fixed: targets y.long() of shape (N,)"])


def test_broadcast_mse_learns_the_mean(gallery):
    r = gallery["broadcast_mse"]
    assert "different to the input size" in r["UserWarning"]
    assert r["buggy: last loss"] == pytest.approx(r["Var(y), the floor of eq. (11)"], rel=1e-4)
    std_pred, std_y = r["buggy: std of the predictions, std of y"]
    assert std_pred < 1e-3 * std_y                             # the same prediction for every input
    assert r["fixed (squeeze(1)): last loss"] < 0.05 * r["Var(y), the floor of eq. (11)"]


def test_lr_too_high_symptom_and_the_checks(gallery):
    r = gallery["lr_too_high"]
    bad, good = r["lr 10, 0.5: first non-finite loss at step"]
    assert bad is not None and bad <= 30 and good is None
    assert r["lr 0.5: last loss"] < 0.1
    assert re.search(r"output of module '\d' \(\w+\): \d+ of \d+ values are nan or inf", r["nan_guard"])


def test_dead_relu_symptoms(gallery):
    r = gallery["dead_relu"]
    key = "bias {}: dead at init, after training; last loss"
    assert r[key.format(0)][:2] == (0.0, 0.0) and r[key.format(0)][2] < 0.05
    assert r[key.format(-3)][0] >= 0.5 and r[key.format(-3)][1] >= 0.5
    assert r[key.format(-10)][:2] == (1.0, 1.0)
    assert r[key.format(-10)][2] == pytest.approx(r["H(class frequencies), eq. (3)"], abs=1e-3)   # stuck at ln C
    assert r["H(class frequencies), eq. (3)"] == pytest.approx(LN10, abs=1e-12)
    assert r["regression, lr 0.01: dead after training"] == 0.0
    assert r["regression, lr 0.2: dead after training"] >= 0.25


def test_log_of_zero_symptom_locator_and_fix(gallery):
    r = gallery["log_zero"]
    assert r["buggy: softmax(z)"][2] == 0.0 and r["buggy: loss"] == math.inf
    assert all(math.isnan(g) for g in r["buggy: gradient"])
    assert "returned nan values" in r["set_detect_anomaly(True)"]
    assert r["fixed: F.cross_entropy"] == pytest.approx(110.0, abs=1e-3)
    assert np.allclose(r["fixed: gradient"], [1.0, 0.0, -1.0], atol=1e-6)


def test_overfit_one_batch_tells_the_correct_model_from_the_buggy_ones(gallery):
    r = gallery["overfit_one_batch"]
    X, y = dt.blobs(16)
    assert r["correct"] < 0.01
    assert r["softmax in the model"] >= dt.double_softmax_floor(10) - 1e-4
    assert r["all ReLUs dead"] == pytest.approx(dt.prior_loss(y.numpy(), 10), abs=0.02)


# --- loss curves and gradient-norm profiles ---------------------------------------------------------

@pytest.fixture(scope="module")
def curves():
    return dt.loss_curves()


def test_each_loss_curve_has_its_shape(curves):
    c = {name.split(",")[0]: runs for name, runs in curves.items()}
    healthy = c["healthy"]
    assert healthy["training"][-1] < 0.1 and healthy["validation"][-1] < 0.15
    high = c["lr too high"]["training"]
    assert not np.isfinite(high).all() or high.max() > 1e6
    low = c["lr too low"]["training"]
    assert np.all(np.diff(low) < 0) and low[-1] > 1.5          # falling, but far from done
    over = c["overfitting"]
    assert over["training"][-1] < 0.1 and np.argmin(over["validation"]) < 60
    assert over["validation"][-1] > over["validation"].min() + 0.3
    plateau = c["plateau"]["training"]
    assert np.abs(plateau[:40] - LN10).max() < 0.1 and plateau[-1] < 0.2
    bugs = c["bugs"]
    assert np.allclose(bugs["stale optimizer"], LN10, atol=1e-6)
    assert bugs["double softmax"][-1] >= dt.double_softmax_floor(10) - 1e-4


def test_plot_loss_curves(curves, monkeypatch):
    monkeypatch.setattr(dt, "loss_curves", lambda: curves)
    fig = dt.plot_loss_curves()
    assert len(fig.axes) == 6 and fig.axes[1].get_yscale() == "log"


def test_gradient_norm_profiles_vanish_and_explode():
    p = dt.gradient_norm_profiles()
    sig, he, big = p["sigmoid, He init"], p["ReLU, He init"], p["ReLU, 2 x He init"]
    assert len(sig) == 9 and sig[0] < 1e-2 * sig[-1] and np.all(np.diff(sig) > 0)     # vanishing
    assert he.max() / he.min() < 10                                                   # healthy
    assert big.min() > 50 * he.max()                                                  # exploding
    assert len(dt.plot_gradient_norms().axes) == 1


# --- exercises and the command line ----------------------------------------------------------------

def test_exercise_1_initial_loss():
    losses = dt.initial_losses()
    assert losses[0.0] == pytest.approx(LN10, abs=1e-6)
    assert abs(losses[1.0] - LN10) < 0.2
    assert losses[1.0] < losses[10.0] < losses[100.0] and losses[100.0] > 10 * LN10


def test_exercise_3_grad_guard_names_the_module():
    assert re.fullmatch(r"gradient into module '1' \(Softmax\): \d of 3 values are nan or inf", dt.hunt_backward_nan())


def test_exercise_4_a_dead_network_learns_the_class_frequencies():
    r = dt.dead_network_prior()
    assert np.abs(r["softmax(b)"] - r["π"]).max() < 1e-3
    last, entropy, ln_c = r["last loss, H(π), ln C"]
    assert last == pytest.approx(entropy, abs=1e-3) and entropy < ln_c - 0.1


def test_check_output_agrees(run_main):
    out = run_main(dt, "--check")
    diffs = [float(m) for m in re.findall(r"(\d\.\de[-+]\d\d)$", out, re.M)]
    assert len(diffs) == 15 and max(diffs) < 1e-8
    assert "cross_entropy 20000.0, F.cross_entropy 20000.0, naive -log(softmax) inf" in out


def test_command_line_exercise_2(run_main):
    assert "[ 1.  0. -1. -1.  0.  1.  1.  0. -1. -1.  0.  1.  1.]" in run_main(dt, "--exercise", "2")
