"""Tests for code/training/learning_rate_schedules.py: every schedule equals its torch.optim.lr_scheduler
counterpart at every step of a full run (float64), the noisy-quadratic formula equals simulation, the LR range
test on the digits MLP falls then blows up, the pitfalls show their symptoms, bad input is refused."""
import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler

import learning_rate_schedules as lrs_mod
from learning_rate_schedules import (adam_first_step, anneal_cos, cosine_annealing, cosine_recursive,
                                     expected_sq_distance, exponential, linear_warmup, lr_range_test, one_cycle,
                                     one_cycle_momentum, per_batch, resumed_lrs, schedule_pairs,
                                     smooth, step_decay, suggest_lr, torch_lrs, warmup_cosine, wrong_order_lrs)

T = 1000
t = np.arange(T)
close = dict(rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- from scratch == torch, every step of a run

@pytest.mark.parametrize("index", range(7))
def test_each_schedule_equals_torch_at_every_step(index):
    name, ours, make = schedule_pairs(T=T, eta=0.1)[index]
    theirs = torch_lrs(make, T, 0.1)[0]
    assert ours.dtype == np.float64 and ours.shape == (T,)
    np.testing.assert_allclose(ours, theirs, **close, err_msg=name)


@pytest.mark.parametrize("s, gamma", [(1, 0.9), (7, 0.5), (250, 0.1), (3, 1.02)])
def test_step_decay_equals_StepLR(s, gamma):
    theirs = torch_lrs(lambda opt: lr_scheduler.StepLR(opt, step_size=s, gamma=gamma), 600, 0.3)[0]
    np.testing.assert_allclose(step_decay(np.arange(600), 0.3, s, gamma), theirs, **close)


@pytest.mark.parametrize("gamma", [0.9, 0.999, 1.01])
def test_exponential_equals_ExponentialLR(gamma):
    theirs = torch_lrs(lambda opt: lr_scheduler.ExponentialLR(opt, gamma=gamma), 600, 0.05)[0]
    np.testing.assert_allclose(exponential(np.arange(600), 0.05, gamma), theirs, **close)


@pytest.mark.parametrize("T_max, eta_min", [(1, 0.0), (7, 0.0), (100, 1e-3), (333, 0.02)])
def test_cosine_equals_recursive_CosineAnnealingLR_also_past_T(T_max, eta_min):
    """torch's recursive form and the closed form agree at every step, for four full periods past T."""
    n = 4 * T_max + 3
    theirs = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min), n, 0.1)[0]
    np.testing.assert_allclose(cosine_annealing(np.arange(n), 0.1, T_max, eta_min), theirs, rtol=1e-12, atol=1e-15)


def test_chained_cosine_is_not_the_closed_form():
    """The chainable (recursive) form follows the CURRENT rate: halve it once and the rest of the run is halved."""
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1)
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    used = []
    for step in range(100):
        if step == 50:
            optimizer.param_groups[0]["lr"] /= 2                # e.g. another scheduler, or a manual change
        used.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    closed = cosine_annealing(np.arange(100), 0.1, 100)
    np.testing.assert_allclose(used[:50], closed[:50], **close)
    np.testing.assert_allclose(used[50:], closed[50:] / 2, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("start_factor, T_w", [(0.1, 10), (1 / 3, 5), (0.001, 200), (1.0, 3)])
def test_linear_warmup_equals_LinearLR(start_factor, T_w):
    make = lambda opt: lr_scheduler.LinearLR(opt, start_factor=start_factor, total_iters=T_w)   # noqa: E731
    theirs = torch_lrs(make, 400, 0.2)[0]
    np.testing.assert_allclose(linear_warmup(np.arange(400), 0.2, T_w, 0.2 * start_factor), theirs, **close)


@pytest.mark.parametrize("T_w, eta_min", [(1, 0.0), (50, 1e-4), (299, 0.0)])
def test_warmup_cosine_equals_SequentialLR(T_w, eta_min):
    def make(opt):
        return lr_scheduler.SequentialLR(opt, [
            lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=T_w),
            lr_scheduler.CosineAnnealingLR(opt, T_max=300 - T_w, eta_min=eta_min)], milestones=[T_w])
    ours = warmup_cosine(np.arange(300), 0.1, 300, T_w, eta_start=0.001, eta_min=eta_min)
    np.testing.assert_allclose(ours, torch_lrs(make, 300, 0.1)[0], **close)


def test_warmup_cosine_from_zero_equals_LambdaLR_and_without_warmup_is_cosine():
    f = lambda k: min(1.0, k / 20) if k < 20 else 0.5 * (1 + math.cos(math.pi * (k - 20) / 180))   # noqa: E731
    theirs = torch_lrs(lambda opt: lr_scheduler.LambdaLR(opt, lr_lambda=f), 200, 3e-4)[0]
    np.testing.assert_allclose(warmup_cosine(np.arange(200), 3e-4, 200, 20), theirs, **close)
    assert warmup_cosine(np.arange(200), 3e-4, 200, 20)[0] == 0.0    # the first update does nothing
    no_warmup = warmup_cosine(np.arange(200), 0.1, 200, 0)
    np.testing.assert_array_equal(no_warmup, cosine_annealing(np.arange(200), 0.1, 200))


@pytest.mark.parametrize("T_, pct, div, final", [(100, 0.3, 25.0, 1e4), (1000, 0.25, 10.0, 100.0),
                                                 (37, 0.5, 5.0, 1e3), (10, 0.15, 25.0, 1e4)])
def test_one_cycle_equals_OneCycleLR_with_momentum(T_, pct, div, final):
    def make(opt):
        return lr_scheduler.OneCycleLR(opt, max_lr=0.8, total_steps=T_, pct_start=pct, div_factor=div,
                                       final_div_factor=final, base_momentum=0.8, max_momentum=0.97)
    theirs, moms = torch_lrs(make, T_, 0.8)
    np.testing.assert_allclose(one_cycle(np.arange(T_), 0.8, T_, pct, div, final), theirs, **close)
    np.testing.assert_allclose(one_cycle_momentum(np.arange(T_), T_, pct, 0.8, 0.97), moms, **close)


def test_one_cycle_momentum_is_adams_beta1():
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=0.01)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.01, total_steps=50)
    betas = []
    for _ in range(50):
        betas.append(optimizer.param_groups[0]["betas"][0])
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(one_cycle_momentum(np.arange(50), 50), betas, **close)


# ---------------------------------------------------------------- the closed forms themselves

def test_shapes_of_the_closed_forms():
    assert step_decay(99, 0.1, 100) == 0.1 and step_decay(100, 0.1, 100) == pytest.approx(0.01, rel=1e-15)
    half_life = math.log(2) / math.log(1 / 0.99)
    k = int(half_life)                                             # eq. (6): the rate halves every ln 2 / ln(1/gamma)
    assert exponential(k, 1.0, 0.99) > 0.5 > exponential(k + 1, 1.0, 0.99) and 68 < half_life < 70
    assert cosine_annealing(0, 0.1, 400) == 0.1 and cosine_annealing(400, 0.1, 400, 0.01) == pytest.approx(0.01)
    assert cosine_annealing(200, 0.1, 400, 0.02) == pytest.approx(0.06, rel=1e-14)     # the midpoint
    eta = cosine_annealing(t, 0.1, T)
    assert np.all(np.diff(eta) < 0) and np.argmax(-np.diff(eta)) in (T // 2 - 1, T // 2)   # steepest at T / 2
    assert linear_warmup(10, 0.1, 10) == 0.1 and linear_warmup(5, 0.1, 10) == pytest.approx(0.05)
    w = warmup_cosine(t, 0.1, T, 100, eta_start=0.01)
    assert w.max() == 0.1 == w[100] and abs(w[99] - w[100]) < 0.1 / 100 + 1e-15      # continuous at T_w
    c = one_cycle(t, 0.1, T)
    assert c[0] == pytest.approx(0.1 / 25) and c[299] == pytest.approx(0.1) and c.max() == pytest.approx(0.1)
    assert c[T - 1] == pytest.approx(0.1 / 25 / 1e4) and np.argmax(c) == 299
    m = one_cycle_momentum(t, T)
    assert m[0] == pytest.approx(0.95) and m[299] == pytest.approx(0.85) and m[T - 1] == pytest.approx(0.95)


def test_a_scalar_step_gives_a_scalar_equal_to_the_array_entry():
    for f in (lambda k: step_decay(k, 0.1, 30), lambda k: exponential(k, 0.1, 0.97),
              lambda k: cosine_annealing(k, 0.1, 200), lambda k: linear_warmup(k, 0.1, 20),
              lambda k: warmup_cosine(k, 0.1, 200, 20), lambda k: one_cycle(k, 0.1, 200),
              lambda k: one_cycle_momentum(k, 200)):
        assert np.ndim(f(17)) == 0 and float(f(17)) == f(np.arange(200))[17]


def test_extreme_values_stay_finite_and_correct():
    assert exponential(10 ** 6, 0.1, 0.5) == 0.0                      # underflows to 0, not NaN
    assert np.isfinite(cosine_annealing(10 ** 9 + 1, 0.1, 3))
    assert cosine_annealing(0, 1e308, 10) == 1e308 and np.isfinite(cosine_annealing(t, 1e308, T)).all()
    assert np.isfinite(one_cycle(t, 1e308, T)).all() and one_cycle(299, 1e308, T) == pytest.approx(1e308)
    assert np.isfinite(warmup_cosine(t, 1e308, T, 10)).all()
    assert anneal_cos(1e308, 0.0, 0.0) == 1e308


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, error, match", [
    (lambda: cosine_annealing(5, 0.1, 0), ValueError, r"T must be an integer >= 1, got 0"),
    (lambda: cosine_annealing(5, 0.1, -3), ValueError, r"T must be an integer >= 1, got -3"),
    (lambda: warmup_cosine(5, 0.1, 0, 0), ValueError, r"T must be an integer >= 1"),
    (lambda: one_cycle(5, 0.1, 0), ValueError, r"T must be an integer >= 2, got 0"),
    (lambda: warmup_cosine(5, 0.1, 100, 100), ValueError, r"warmup T_w = 100 must be shorter than .* T = 100"),
    (lambda: warmup_cosine(5, 0.1, 100, 150), ValueError, r"warmup T_w = 150 must be shorter"),
    (lambda: linear_warmup(5, 0.1, 0), ValueError, r"warmup T_w must be an integer >= 1, got 0"),
    (lambda: step_decay(5, -0.1, 10), ValueError, r"eta0 must be a finite number in \(0.0, inf\], got -0.1"),
    (lambda: exponential(5, 0.0, 0.9), ValueError, r"eta0 must be a finite number in \(0.0"),
    (lambda: cosine_annealing(5, float("nan"), 10), ValueError, r"eta_max must be a finite number"),
    (lambda: one_cycle(5, -1.0, 100), ValueError, r"eta_max must be a finite number in \(0.0, inf\], got -1.0"),
    (lambda: linear_warmup(5, 0.1, 10, eta_start=-0.01), ValueError, r"eta_start must be .* in \[0.0, 0.1\]"),
    (lambda: cosine_annealing(5, 0.1, 10, eta_min=0.5), ValueError, r"eta_min must be .* in \[0.0, 0.1\]"),
    (lambda: step_decay(5, 0.1, 0), ValueError, r"step size s must be an integer >= 1, got 0"),
    (lambda: step_decay(5, 0.1, 10, gamma=0.0), ValueError, r"gamma must be a finite number in \(0.0"),
    (lambda: exponential(5, "0.1", 0.9), TypeError, r"eta0 must be a real number, got str"),
    (lambda: exponential(5, True, 0.9), TypeError, r"eta0 must be a real number, got bool"),
    (lambda: exponential(2.5, 0.1, 0.9), TypeError, r"step t must be an integer .* got dtype float64"),
    (lambda: exponential(-1, 0.1, 0.9), ValueError, r"step t must be >= 0, got -1"),
    (lambda: one_cycle(101, 0.1, 100), ValueError, r"step t must be in \[0, T\] = \[0, 100\], got 101"),
    (lambda: one_cycle(5, 0.1, 100, pct_start=0.005), ValueError, r"pct_start \* T - 1 = -0.5 must lie strictly"),
    (lambda: one_cycle(5, 0.1, 100, pct_start=1.0), ValueError, r"must lie strictly between 0 and T - 1 = 99"),
    (lambda: one_cycle(5, 0.1, 100, div_factor=0), ValueError, r"div_factor must be a finite number"),
    (lambda: one_cycle_momentum(5, 100, m_base=0.99, m_max=0.9), ValueError, r"m_base must be .* \[0.0, 0.9\]"),
    (lambda: per_batch(30, 0.9, 90, 0), ValueError, r"batches per epoch must be an integer >= 1, got 0"),
])
def test_bad_input_gives_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------- why decay: the noisy quadratic

def simulate_sgd(etas, lam=1.0, sigma=1.0, w0=10.0, runs=40000, seed=1):
    """The same SGD run many times with random gradient noise, eq. (2): w of every run, shape (runs, T + 1)."""
    rng = np.random.default_rng(seed)
    path = [np.full(runs, w0)]
    for eta in etas:
        path.append(path[-1] - eta * (lam * path[-1] + sigma * rng.standard_normal(runs)))
    return np.stack(path, axis=1)


def test_expected_sq_distance_matches_simulation():
    etas = cosine_annealing(np.arange(60), 0.5, 60)
    w = simulate_sgd(etas)                                         # (runs, 61)
    m = expected_sq_distance(etas)
    se = w.var(axis=0) * np.sqrt(2 / w.shape[0]) + (w ** 2).std(axis=0) / np.sqrt(w.shape[0])
    assert np.all(np.abs((w ** 2).mean(axis=0) - m) < 4 * se + 1e-12)
    assert np.all(np.abs(w.mean(axis=0) - 10 * np.cumprod(np.r_[1, 1 - etas])) < 4 * w.std(axis=0) / 200 + 1e-12)


@pytest.mark.parametrize("eta, lam, sigma", [(0.5, 1.0, 1.0), (0.02, 1.0, 1.0), (0.3, 4.0, 0.5)])
def test_constant_rate_floor_eq4(eta, lam, sigma):
    m = expected_sq_distance(np.full(300, eta), lam, sigma, w0=3.0)
    floor = eta * sigma ** 2 / (lam * (2 - eta * lam))
    k = np.arange(301)
    np.testing.assert_allclose(m, floor + (1 - eta * lam) ** (2 * k) * (9.0 - floor), rtol=1e-12)


def test_schedules_beat_both_constant_rates():
    J = {name: 0.5 * expected_sq_distance(etas) for name, etas in lrs_mod.NOISY.items()}
    big, small, step, cos = J.values()
    for schedule in (step, cos):
        assert schedule[-1] < small[-1] / 2 and schedule[-1] < big[-1] / 10      # lower at the end
        assert schedule[10] < small[10] / 100                                   # and fast at the start
    assert big[20] == pytest.approx(big[-1], rel=1e-9)                           # big: stuck on its floor


# ---------------------------------------------------------------- the LR range test on a real model

@pytest.fixture(scope="module")
def range_run():
    return lr_range_test()


def test_range_test_loss_first_falls_then_blows_up(range_run):
    lrs, losses = range_run
    s = smooth(losses)
    best = int(np.argmin(s))
    assert len(lrs) < 250                                          # stopped early: it blew up
    assert s[0] == pytest.approx(math.log(10), abs=0.2)           # starts at chance: ln 10
    assert s[best] < 0.3 * s[0] and 20 < best < len(s) - 3          # falls well below, in the middle
    assert s[-1] > 4 * s[best] and losses[-1] > 5 * s[best]        # then blows up
    np.testing.assert_allclose(lrs, exponential(np.arange(len(lrs)), 1e-4, 1e5 ** (1 / 249)), rtol=1e-13)


def test_range_test_suggestion_is_sane_and_trains(range_run):
    lrs, losses = range_run
    steep, tenth = suggest_lr(lrs, losses)
    assert 0.01 < steep < 1 and 0.01 < tenth < 1 and 0.1 < steep / tenth < 10
    assert steep < lrs[-1] / 3                                     # well below where it diverged
    X, y = lrs_mod.digits_tensors()

    def train(eta):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
        optimizer = torch.optim.SGD(model.parameters(), lr=eta)
        for k in range(0, 1600, 32):                               # one pass over 1600 images
            loss = torch.nn.functional.cross_entropy(model(X[k:k + 32]), y[k:k + 32])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return torch.nn.functional.cross_entropy(model(X), y).item()
    assert train(steep) < 0.5 < 2.0 < train(1e-3)                 # the suggestion learns; a tiny rate barely


def test_range_test_is_seeded():
    a, b = lr_range_test(K=30), lr_range_test(K=30)
    np.testing.assert_array_equal(a[1], b[1])


def test_smooth_and_suggest_on_known_curves():
    np.testing.assert_allclose(smooth(np.full(20, 3.0)), 3.0, rtol=1e-14)      # bias correction: no drift to 0
    np.testing.assert_array_equal(smooth([1.0, 5.0, 2.0], beta=0.0), [1.0, 5.0, 2.0])
    assert smooth([1.0, 3.0], beta=0.5)[1] == pytest.approx((0.25 * 1 + 0.5 * 3) / 0.75)
    eta = np.logspace(-4, 1, 200)
    loss = 2.3 / (1 + np.exp(3 * (np.log10(eta) + 1))) + 0.1 + np.where(eta > 3, (eta - 3) * 5, 0)
    steep, tenth = suggest_lr(eta, loss, beta=0.0)                 # steepest at log10 eta = -1
    assert steep == pytest.approx(0.1, rel=0.07) and tenth == pytest.approx(eta[np.argmin(loss)] / 10)


# ---------------------------------------------------------------- pitfalls

def test_scheduler_step_before_optimizer_step_skips_the_first_rate_and_warns():
    used, caught = wrong_order_lrs()
    right = linear_warmup(np.arange(6), 0.1, 4, 0.025)
    np.testing.assert_allclose(used, right[1:], **close)          # every rate one step early
    assert any("before `optimizer.step()`" in c for c in caught)
    correct = torch_lrs(lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=4), 5, 0.1)[0]
    np.testing.assert_allclose(correct, right[:5], **close)


def test_epoch_schedule_stepped_per_batch():
    lrs = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=10), 100, 0.1)[0]
    assert lrs[20] == pytest.approx(0.1) and lrs[10] == pytest.approx(0.0, abs=1e-15)   # up and down again
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        torch_lrs(lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10), 12, 0.1)


def test_checkpoint_without_scheduler_state_breaks_the_schedule():
    uninterrupted = warmup_cosine(np.arange(100), 0.1, 100, 10, eta_start=0.01)
    np.testing.assert_allclose(resumed_lrs(True), uninterrupted, **close)
    lost = resumed_lrs(False)
    np.testing.assert_allclose(lost[:60], uninterrupted[:60], **close)
    assert lost[60:].max() > 0.2                                   # the rate shoots above the peak of 0.1


def test_get_lr_outside_step_warns_and_gives_the_next_rate():
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        assert scheduler.get_lr() == [0.05] and scheduler.get_last_lr() == [0.1]


def test_LinearLR_cannot_start_from_zero():
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="greater than 0"):
        lr_scheduler.LinearLR(optimizer, start_factor=0.0)


def test_one_cycle_turns_on_momentum_for_plain_sgd():
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    assert optimizer.param_groups[0]["momentum"] == 0.95
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10, cycle_momentum=False)
    assert optimizer.param_groups[0]["momentum"] == 0


# ---------------------------------------------------------------- exercises

@pytest.mark.parametrize("T_max, eta_min", [(1, 0.0), (10, 0.0), (100, 1e-3)])
def test_ex1_recursion_equals_closed_form_and_torch(T_max, eta_min):
    n = 3 * T_max + 2
    ours = cosine_recursive(0.1, T_max, n, eta_min)
    np.testing.assert_allclose(ours, cosine_annealing(np.arange(n), 0.1, T_max, eta_min), rtol=1e-12, atol=1e-15)
    theirs = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min), n, 0.1)[0]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_ex2_per_batch_matches_per_epoch_at_every_epoch_boundary():
    s, gamma, T_b = per_batch(30, 0.9, 90, 50)
    assert (s, T_b) == (1500, 4500) and gamma ** 50 == pytest.approx(0.9, rel=1e-14)
    e = np.arange(90)
    np.testing.assert_array_equal(step_decay(e * 50, 0.1, s), step_decay(e, 0.1, 30))
    np.testing.assert_allclose(exponential(e * 50, 0.1, gamma), exponential(e, 0.1, 0.9), rtol=1e-12)
    np.testing.assert_allclose(cosine_annealing(e * 50, 0.1, T_b), cosine_annealing(e, 0.1, 90), rtol=1e-12)
    theirs = torch_lrs(lambda opt: lr_scheduler.ExponentialLR(opt, gamma=gamma), 501, 0.1)[0][::50]
    np.testing.assert_allclose(theirs, exponential(np.arange(11), 0.1, 0.9), rtol=1e-12)


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e4])
def test_ex3_adam_first_step_is_eta_times_sign(scale):
    g = np.random.default_rng(3).normal(size=6) * scale
    w = torch.zeros(6, dtype=torch.float64, requires_grad=True)
    w.grad = torch.from_numpy(g.copy())
    torch.optim.Adam([w], lr=0.01).step()
    np.testing.assert_allclose(adam_first_step(g, 0.01), w.detach().numpy(), rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(adam_first_step(g, 0.01), -0.01 * np.sign(g), rtol=1e-7 / scale)


# ---------------------------------------------------------------- the page's outputs

def test_check_mode_reports_tiny_differences(run_main):
    lines = run_main(lrs_mod, "--check").splitlines()[1:]
    assert len(lines) == 12
    for line in lines:
        assert float(line.split()[-1]) < 1e-14, line


def test_demo_and_range_test_outputs(run_main):
    assert "one-cycle momentum" in run_main(lrs_mod)
    assert "suggested learning rate:" in run_main(lrs_mod, "--range-test")


def test_figures_are_drawn():
    for name in ("plot_schedules", "plot_noisy_quadratic"):
        fig = getattr(lrs_mod, name)()
        assert len(fig.axes) == 2 and len(fig.axes[0].lines) >= 4
