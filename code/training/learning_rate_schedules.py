"""Learning-rate schedules: step decay, exponential, cosine annealing, linear warmup, one-cycle; the LR range test.

Page: docs/training/learning-rate-schedules.md (topic 12). Each schedule is a closed-form function eta(t) of the
step t, in NumPy, equal at every step of a run to its torch.optim.lr_scheduler counterpart (StepLR, ExponentialLR,
CosineAnnealingLR, LinearLR, SequentialLR, LambdaLR, OneCycleLR). A noisy quadratic shows exactly why a decaying
rate helps; an LR range test runs on a small MLP on scikit-learn's digits. Papers: Loshchilov & Hutter (2017),
"SGDR: Stochastic Gradient Descent with Warm Restarts"; Smith (2017), "Cyclical Learning Rates for Training
Neural Networks"; Smith & Topin (2019), "Super-Convergence"; Goyal et al. (2017), "Accurate, Large Minibatch SGD:
Training ImageNet in 1 Hour"; Robbins & Monro (1951).

    python code/training/learning_rate_schedules.py    # a table of every schedule; also --torch (the same from
        torch), --check (vs PyTorch), --noisy (the noisy quadratic), --range-test, --pitfalls, --exercise 1 (to 3)
"""
import functools
import sys

# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import math
import warnings

import torch
from torch import nn
from torch.optim import lr_scheduler
# --8<-- [end:torch_imports]
# --8<-- [start:data_imports]
from sklearn.datasets import load_digits
# --8<-- [end:data_imports]
# --8<-- [start:validation]


def check_steps(t, last=None):
    """The step t (an int, or an integer array of steps) as an integer array, >= 0 (and <= last if given)."""
    a = np.asarray(t)
    if a.dtype == bool or a.dtype.kind not in "iu":
        raise TypeError(f"step t must be an integer or an integer array (updates done so far), got dtype {a.dtype}")
    if a.size and a.min() < 0:
        raise ValueError(f"step t must be >= 0, got {a.min()}")
    if last is not None and a.size and a.max() > last:
        raise ValueError(f"step t must be in [0, T] = [0, {last}], got {a.max()}")
    return a


def check_rate(name, value, low=0.0, high=np.inf, allow_low=False):
    """A learning rate or factor: a finite real number in (low, high] ([low, high] with allow_low)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not (np.isfinite(value) and (low <= value if allow_low else low < value) and value <= high):
        raise ValueError(f"{name} must be a finite number in {'[' if allow_low else '('}{low}, {high}], got {value}")
    return float(value)


def check_count(name, value, minimum=1):
    """A number of steps: an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
# --8<-- [end:validation]
# --8<-- [start:step_decay]


def step_decay(t, eta0, s, gamma=0.1):
    """eq. (5): eta0 times gamma for every s steps completed. torch: StepLR(step_size=s, gamma=gamma)."""
    t, eta0, s = check_steps(t), check_rate("eta0", eta0), check_count("step size s", s)
    return eta0 * check_rate("gamma", gamma) ** (t // s)         # t // s: how many drops so far
# --8<-- [end:step_decay]
# --8<-- [start:exponential]


def exponential(t, eta0, gamma):
    """eq. (6): eta0 * gamma**t, one factor gamma per step. torch: ExponentialLR(gamma=gamma)."""
    return check_rate("eta0", eta0) * check_rate("gamma", gamma) ** check_steps(t)
# --8<-- [end:exponential]
# --8<-- [start:cosine]


def anneal_cos(start, end, p):
    """Half a cosine from start (p = 0) to end (p = 1): flat at both ends, steepest at p = 1/2."""
    return end + (start - end) * ((1.0 + np.cos(np.pi * p)) / 2.0)     # the weight in [0, 1] first: no overflow


def cosine_annealing(t, eta_max, T, eta_min=0.0):
    """eq. (7): eta_max at t = 0 down to eta_min at t = T. torch: CosineAnnealingLR(T_max=T, eta_min=eta_min)."""
    t, eta_max, T = check_steps(t), check_rate("eta_max", eta_max), check_count("T", T)
    eta_min = check_rate("eta_min", eta_min, 0.0, eta_max, allow_low=True)
    return anneal_cos(eta_max, eta_min, t / T)   # past T the cosine climbs back, as torch's does
# --8<-- [end:cosine]
# --8<-- [start:warmup]


def linear_warmup(t, eta_max, T_w, eta_start=0.0):
    """eq. (8): a straight line from eta_start to eta_max over T_w steps, then eta_max. torch: LinearLR."""
    t, eta_max, T_w = check_steps(t), check_rate("eta_max", eta_max), check_count("warmup T_w", T_w)
    eta_start = check_rate("eta_start", eta_start, 0.0, eta_max, allow_low=True)
    return eta_start + (eta_max - eta_start) * (np.minimum(t, T_w) / T_w)     # fraction first: no overflow


def warmup_cosine(t, eta_max, T, T_w, eta_start=0.0, eta_min=0.0):
    """eq. (9): linear warmup for T_w steps, then cosine annealing over the other T - T_w. The transformer default."""
    t, T = check_steps(t), check_count("T", T)
    if check_count("warmup T_w", T_w, minimum=0) >= T:
        raise ValueError(f"warmup T_w = {T_w} must be shorter than the whole schedule T = {T}")
    cos = cosine_annealing(np.maximum(t - T_w, 0), eta_max, T - T_w, eta_min)   # the clock restarts at T_w
    if T_w == 0:
        return cos
    return np.where(t < T_w, linear_warmup(t, eta_max, T_w, eta_start), cos)[()]   # [()]: a scalar stays one
# --8<-- [end:warmup]
# --8<-- [start:one_cycle]


def one_cycle_phase(t, T, pct_start):
    """(rising, p): whether step t is in the first phase, and the fraction p in [0, 1] of its phase done."""
    T, t = check_count("T", T, minimum=2), check_steps(t, last=T)
    t_up = check_rate("pct_start", pct_start, 0.0, 1.0) * T - 1     # the last rising step, eq. (10)
    if not 0 < t_up < T - 1:
        raise ValueError(f"pct_start * T - 1 = {t_up:g} must lie strictly between 0 and T - 1 = {T - 1}: "
                         "each phase needs at least one step")
    rising = t <= t_up
    return rising, np.where(rising, t / t_up, (t - t_up) / (T - 1 - t_up))


def one_cycle(t, eta_max, T, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    """eq. (10): up from eta_max / div_factor to eta_max, then down to far below the start. torch: OneCycleLR."""
    eta_max = check_rate("eta_max", eta_max)
    eta_start = eta_max / check_rate("div_factor", div_factor)
    eta_end = eta_start / check_rate("final_div_factor", final_div_factor)
    rising, p = one_cycle_phase(t, T, pct_start)
    return np.where(rising, anneal_cos(eta_start, eta_max, p), anneal_cos(eta_max, eta_end, p))[()]


def one_cycle_momentum(t, T, pct_start=0.3, m_base=0.85, m_max=0.95):
    """eq. (11): the momentum mirrors the rate, m_max -> m_base -> m_max (OneCycleLR's cycle_momentum)."""
    m_max = check_rate("m_max", m_max, 0.0, 1.0)
    m_base = check_rate("m_base", m_base, 0.0, m_max, allow_low=True)
    rising, p = one_cycle_phase(t, T, pct_start)
    return np.where(rising, anneal_cos(m_max, m_base, p), anneal_cos(m_base, m_max, p))[()]
# --8<-- [end:one_cycle]
# --8<-- [start:noisy_quadratic]


def expected_sq_distance(etas, lam=1.0, sigma=1.0, w0=10.0):
    """m_t = E[w_t^2] for SGD on J = lam w^2 / 2 with gradient noise sigma: eq. (3), exactly. Shape (T + 1,)."""
    m = [w0 ** 2]
    for eta in np.asarray(etas, dtype=np.float64):                # (T,) one rate per step
        m.append((1.0 - eta * lam) ** 2 * m[-1] + eta ** 2 * sigma ** 2)
    return np.array(m)                                             # expected loss: lam / 2 * m
# --8<-- [end:noisy_quadratic]
# --8<-- [start:noisy_rates]
NOISY = {"constant η = 0.5": np.full(200, 0.5), "constant η = 0.02": np.full(200, 0.02),
         "step decay 0.5 → 0.05 → 0.005": step_decay(np.arange(200), 0.5, 70, 0.1),
         "cosine 0.5 → 0": cosine_annealing(np.arange(200), 0.5, 200)}     # four ways to spend 200 steps
# --8<-- [end:noisy_rates]
# --8<-- [start:torch_loop]


def torch_lrs(make_scheduler, n_steps, eta, momentum=0.9):
    """The rate (and momentum) a torch optimizer really uses at steps t = 0 .. n_steps - 1 under a scheduler."""
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)   # a stand-in parameter
    optimizer = torch.optim.SGD([w], lr=eta, momentum=momentum)
    scheduler = make_scheduler(optimizer)
    lrs, moms = [], []
    for t in range(n_steps):
        lrs.append(optimizer.param_groups[0]["lr"])               # the rate this update uses
        moms.append(optimizer.param_groups[0]["momentum"])
        # a real loop: optimizer.zero_grad(); loss = loss_fn(model(X_b), y_b); loss.backward()
        optimizer.step()                                          # update first ...
        scheduler.step()                                          # ... then move the schedule to t + 1
    return np.array(lrs), np.array(moms)
# --8<-- [end:torch_loop]
# --8<-- [start:torch_schedulers]


def torch_schedulers(T=400, eta=0.1):
    """Every schedule of the page as a torch.optim.lr_scheduler, built from an optimizer whose lr is eta."""
    T_w, s = T // 10, T // 4                                      # warmup steps, step-decay interval
    warm_cos = lambda k: k / T_w if k < T_w else (1 + math.cos(math.pi * (k - T_w) / (T - T_w))) / 2   # noqa: E731
    return {
        "StepLR": lambda opt: lr_scheduler.StepLR(opt, step_size=s, gamma=0.5),
        "ExponentialLR": lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.99),
        "CosineAnnealingLR": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=T, eta_min=eta / 100),
        "LinearLR (warmup)": lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=T_w),
        "SequentialLR(LinearLR, CosineAnnealingLR)": lambda opt: lr_scheduler.SequentialLR(opt, [
            lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=T_w),      # eta / 10 -> eta, then
            lr_scheduler.CosineAnnealingLR(opt, T_max=T - T_w)], milestones=[T_w]),   # eta -> 0
        "LambdaLR (warmup from 0, cosine)": lambda opt: lr_scheduler.LambdaLR(opt, lr_lambda=warm_cos),
        "OneCycleLR": lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=eta, total_steps=T),
    }
# --8<-- [end:torch_schedulers]
# --8<-- [start:pairs]


def schedule_pairs(T=400, eta=0.1):
    """(name, eta_t from scratch for t = 0 .. T - 1, the torch scheduler with the same settings)."""
    t, T_w, s = np.arange(T), T // 10, T // 4                     # t: (T,) every step of one run
    ours = [step_decay(t, eta, s, gamma=0.5), exponential(t, eta, gamma=0.99),
            cosine_annealing(t, eta, T, eta_min=eta / 100), linear_warmup(t, eta, T_w, eta_start=eta / 10),
            warmup_cosine(t, eta, T, T_w, eta_start=eta / 10), warmup_cosine(t, eta, T, T_w), one_cycle(t, eta, T)]
    return [(name, eta_t, make) for (name, make), eta_t in zip(torch_schedulers(T, eta).items(), ours)]
# --8<-- [end:pairs]
# --8<-- [start:range_test]


def digits_tensors(seed=0):
    """scikit-learn's 8x8 digits (no download): X (N, 64) standardized float32, y (N,) int64, in a seeded order."""
    X, y = load_digits(return_X_y=True)                            # (1797, 64) pixels 0..16, (1797,)
    order = np.random.default_rng(seed).permutation(len(X))
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)   # an always-0 pixel stays 0
    return torch.as_tensor(X[order], dtype=torch.float32), torch.as_tensor(y[order])


def smooth(losses, beta=0.9):
    """Exponential moving average with bias correction, eq. (13): one noisy batch loss does not decide."""
    s, out = 0.0, []
    for k, L in enumerate(losses):
        s = beta * s + (1 - beta) * L
        out.append(s / (1 - beta ** (k + 1)))                     # divide out the weight given to s = 0
    return np.array(out)


def lr_range_test(eta_low=1e-4, eta_high=10.0, K=250, B=32, seed=0, stop_factor=4.0):
    """Smith (2017): raise eta by a factor gamma every mini-batch, eq. (12), record the loss; stop at blow-up."""
    X, y = digits_tensors(seed)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))   # a small MLP: 10 logits
    optimizer = torch.optim.SGD(model.parameters(), lr=eta_low)
    scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=(eta_high / eta_low) ** (1 / (K - 1)))
    lrs, losses, gen = [], [], torch.Generator().manual_seed(seed)
    for k in range(K):
        idx = torch.randint(len(X), (B,), generator=gen)          # (B,) a random mini-batch
        loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
        lrs.append(optimizer.param_groups[0]["lr"])
        losses.append(loss.item())
        s = smooth(losses)
        if not np.isfinite(s[-1]) or s[-1] > stop_factor * s.min():
            break                                                 # diverged: larger rates teach nothing
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    return np.array(lrs), np.array(losses)


def suggest_lr(lrs, losses, beta=0.9):
    """(eta where the smoothed loss falls fastest per decade, a tenth of the eta with the lowest smoothed loss)."""
    s = smooth(losses, beta)
    best = int(np.argmin(s))
    slope = np.gradient(s[:best + 1], np.log10(lrs[:best + 1]))  # d loss / d log10(eta), up to the minimum
    return float(lrs[int(np.argmin(slope))]), float(lrs[best] / 10)
# --8<-- [end:range_test]
# --8<-- [start:pitfall_order]


def wrong_order_lrs(n_steps=5, eta=0.1):
    """scheduler.step() BEFORE optimizer.step(): the rates really used, and the warning PyTorch gives."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=eta)
    scheduler, used = lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=4), []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for t in range(n_steps):
            scheduler.step()                                       # too early: the schedule moves first
            used.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
    return np.array(used), [str(c.message) for c in caught]
# --8<-- [end:pitfall_order]
# --8<-- [start:pitfall_resume]


def resumed_lrs(save_scheduler, T=100, stop=60, eta=0.1):
    """Warmup + cosine, interrupted at step `stop` and resumed from a checkpoint; the rates of the whole run."""
    make = torch_schedulers(T, eta)["SequentialLR(LinearLR, CosineAnnealingLR)"]
    fresh = lambda opt: (opt, make(opt))                               # noqa: E731  the scheduler, then
    optimizer, scheduler = fresh(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=eta))
    lrs = []
    for t in range(T):
        if t == stop:                                              # save ({"model": ...} too), "crash", rebuild
            checkpoint = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
            optimizer, scheduler = fresh(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=eta))
            optimizer.load_state_dict(checkpoint["optimizer"])     # load AFTER building the scheduler
            if save_scheduler:
                scheduler.load_state_dict(checkpoint["scheduler"])
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(lrs)
# --8<-- [end:pitfall_resume]
# --8<-- [start:ex_recursive]


def cosine_recursive(eta_max, T, n_steps, eta_min=0.0):
    """Exercise 1: eq. (7) rebuilt step by step from the ratio of eq. (14), the way CosineAnnealingLR does it."""
    eta = [check_rate("eta_max", eta_max)]
    for t in range(n_steps - 1):
        if (t - T) % (2 * T) == 0:                                  # 1 + cos(pi t / T) = 0: 0 / 0, use a difference
            eta.append(eta[-1] + (eta_max - eta_min) * (1 - math.cos(math.pi / T)) / 2)
        else:
            ratio = (1 + math.cos(math.pi * (t + 1) / T)) / (1 + math.cos(math.pi * t / T))
            eta.append(eta_min + (eta[-1] - eta_min) * ratio)
    return np.array(eta)
# --8<-- [end:ex_recursive]
# --8<-- [start:ex_per_batch]


def per_batch(s_epochs, gamma_epoch, T_epochs, n_batches):
    """Exercise 2: (step size, gamma, T) for a scheduler stepped per batch that matches one stepped per epoch."""
    n = check_count("batches per epoch", n_batches)
    return s_epochs * n, check_rate("gamma", gamma_epoch) ** (1.0 / n), T_epochs * n
# --8<-- [end:ex_per_batch]
# --8<-- [start:ex_adam]


def adam_first_step(g, eta, eps=1e-8):
    """Exercise 3: Adam's first update, -eta * m1_hat / (sqrt(v1_hat) + eps) = -eta * g / (|g| + eps)."""
    g = np.asarray(g, dtype=np.float64)                            # (P,) the first gradient
    m_hat, v_hat = g, g ** 2                                       # bias-corrected: (1 - beta) g / (1 - beta)
    return -eta * m_hat / (np.sqrt(v_hat) + eps)                   # (P,) about -eta * sign(g), for ANY size of g
# --8<-- [end:ex_adam]


def pyplot():
    """matplotlib's pyplot on the Agg backend (files only, no window), imported only when a figure is drawn."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


@functools.lru_cache(maxsize=1)
def _range_run():
    torch.set_num_threads(1)                     # a 64-32-10 MLP gains nothing from more threads
    lrs, losses = lr_range_test()
    return lrs, losses, suggest_lr(lrs, losses)


def plot_schedules():
    """Every schedule of the page over one run of T = 400 steps, with one-cycle's momentum."""
    plt = pyplot()
    T, t = 400, np.arange(0, 401, 4)                               # every 4th step: light SVG
    fig, (ax, ax_m) = plt.subplots(1, 2, figsize=(7, 3), gridspec_kw={"width_ratios": [2.2, 1]})
    for label, eta in zip(("step decay", "exponential", "cosine", "warmup + cosine", "one-cycle"),
                          (step_decay(t, 0.1, 100, 0.5), exponential(t, 0.1, 0.99), cosine_annealing(t, 0.1, T),
                           warmup_cosine(t, 0.1, T, 40), one_cycle(t, 0.1, T))):
        ax.plot(t, eta, label=label)
    ax.set(xlabel="step t", ylabel="learning rate η_t", title="η_max = 0.1, T = 400")
    ax.legend(frameon=False, fontsize=7)
    ax_m.plot(t, one_cycle_momentum(t, T), color="C4")
    ax_m.set(xlabel="step t", ylabel="momentum", title="one-cycle momentum")
    fig.tight_layout()
    return fig




def plot_noisy_quadratic():
    """Expected loss of SGD on the noisy quadratic, eq. (3), for two constant rates and two schedules."""
    plt = pyplot()
    fig, (ax, ax_eta) = plt.subplots(1, 2, figsize=(7, 3), gridspec_kw={"width_ratios": [1.6, 1]})
    for label, etas in NOISY.items():
        t = np.arange(0, len(etas) + 1, 2)                               # every 2nd step: light SVG
        ax.plot(t, 0.5 * expected_sq_distance(etas)[t], label=label)     # E[J] = lam / 2 * m_t
        ax_eta.plot(t[:-1], etas[t[:-1]])
    ax.set(xlabel="step t", yscale="log", ylabel="expected loss E[J(w_t)]", title="SGD, λ = σ = 1, w₀ = 10")
    ax_eta.set(xlabel="step t", ylabel="η_t", title="the rates")
    ax.legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return fig


def plot_range_test():
    """The LR range test on the digits MLP: batch loss and smoothed loss against the rate, with the suggestions."""
    plt = pyplot()
    lrs, losses, (steep, tenth) = _range_run()
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot(lrs, np.minimum(losses, 10), color="0.7", lw=0.8, label="batch loss (capped at 10)")
    ax.plot(lrs, smooth(losses), color="C0", label="smoothed loss, eq. (13)")
    ax.axvline(steep, color="C2", ls="--", label=f"steepest fall: η = {steep:.2g}")
    ax.axvline(tenth, color="C1", ls=":", label=f"minimum / 10: η = {tenth:.2g}")
    ax.set(xscale="log", xlabel="learning rate η (log scale)", ylabel="cross-entropy", ylim=(0, 4))
    ax.legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return fig


def check():
    """Max |from scratch - PyTorch| at every step of a full run, float64 (the rates are Python floats)."""
    t, diff = np.arange(400), lambda a, b: np.abs(np.asarray(a) - np.asarray(b)).max()   # noqa: E731
    rows = [(name, diff(ours, torch_lrs(make, 400, 0.1)[0])) for name, ours, make in schedule_pairs()]
    moms = torch_lrs(lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=400), 400, 0.1)[1]
    cos = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=100, eta_min=0.001), 400, 0.1)[0]
    closed, lrs = cosine_annealing(t, 0.1, 100, 0.001), _range_run()[0]
    g = np.random.default_rng(0).normal(size=5) * np.logspace(-6, 2, 5)   # (5,) sizes from 1e-6 to 100
    w = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    w.grad = torch.from_numpy(g.copy())
    torch.optim.Adam([w], lr=0.1).step()
    rows += [("OneCycleLR momentum (cycle_momentum=True)", diff(one_cycle_momentum(t, 400), moms)),
             ("cosine over 4 T steps: closed form vs recursive torch", diff(closed, cos)),
             ("exercise 1: recursion eq. (14) vs closed form eq. (7)",
              diff(cosine_recursive(0.1, 100, 400, 0.001), closed)),
             ("range test: ExponentialLR rates vs eq. (12), relative",
              diff(lrs, exponential(np.arange(len(lrs)), 1e-4, 1e5 ** (1 / 249))) / lrs.max()),
             ("exercise 3: Adam's first step vs torch.optim.Adam", diff(adam_first_step(g, 0.1), w.detach()))]
    print(f"{'from scratch vs torch.optim.lr_scheduler, T = 400 steps':58} max |difference|")
    for name, value in rows:
        print(f"{name:58} {value:.1e}")


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        check()
    elif "--noisy" in sys.argv[1:]:
        # --8<-- [start:demo_noisy]
        steps = (0, 10, 50, 100, 150, 200)
        print(f"{'E[J(w_t)] at step t =':31} " + " ".join(f"{k:7d}" for k in steps) + "    floor, eq. (4)")
        for label, etas in NOISY.items():
            EJ = 0.5 * expected_sq_distance(etas)                  # lam = sigma = 1, w0 = 10
            floor = f"{0.5 * etas[0] / (2 - etas[0]):.4f}" if np.ptp(etas) == 0 else "-"   # constant rates only
            print(f"{label:31} " + " ".join(f"{EJ[k]:7.4f}" for k in steps) + f"    {floor:>14}")
        # --8<-- [end:demo_noisy]
    elif "--torch" in sys.argv[1:]:
        # --8<-- [start:demo_torch]
        steps = [0, 10, 40, 100, 200, 300, 399]                   # the same steps as the NumPy demo
        for name, make in torch_schedulers(T=400, eta=0.1).items():
            lrs, moms = torch_lrs(make, 400, 0.1)
            print(f"{name:41}", np.round(lrs[steps], 5))
        print(f"{'OneCycleLR momentum':41}", np.round(moms[steps], 4))
        # --8<-- [end:demo_torch]
    elif "--range-test" in sys.argv[1:]:
        # --8<-- [start:demo_range]
        torch.set_num_threads(1)                     # a 64-32-10 MLP: extra threads only wait for each other
        lrs, losses = lr_range_test()                # eta from 1e-4 upwards, one mini-batch per rate
        steep, tenth = suggest_lr(lrs, losses)
        s = smooth(losses)
        print(f"{len(lrs)} mini-batches of 32, eta from {lrs[0]:.0e} up by x{lrs[1] / lrs[0]:.4f} per batch")
        print(f"smoothed loss: {s[0]:.3f} at the start, lowest {s.min():.3f} at eta = {lrs[np.argmin(s)]:.3g}, "
              f"stopped at eta = {lrs[-1]:.3g} (smoothed loss {s[-1]:.3g})")
        print(f"suggested learning rate: {steep:.3g} (steepest fall), {tenth:.3g} (a tenth of the minimum's)")
        # --8<-- [end:demo_range]
    elif "--pitfalls" in sys.argv[1:]:
        # --8<-- [start:demo_pitfalls]
        used, caught = wrong_order_lrs()
        right = torch_lrs(lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=4), 5, 0.1)[0]
        print("1. scheduler.step() before optimizer.step(): rates used", np.round(used, 5),
              "\n   instead of", np.round(right, 5), f"\n   UserWarning: {caught[0][:104]}...")
        lrs = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=10), 100, 0.1)[0]   # 10 "epochs"
        print("2. CosineAnnealingLR(T_max=10 epochs) stepped per batch (50 a epoch): eta at steps 0, 5, ..., 45\n  ",
              np.round(lrs[:50:5], 4))
        try:
            torch_lrs(lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10), 12, 0.1)
        except ValueError as error:
            print(f"   OneCycleLR(total_steps=10 epochs) stepped per batch: ValueError: {error}")
        lrs = torch_lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=500), 11, 0.1)[0]   # 500 "batches"
        print(f"   CosineAnnealingLR(T_max=500 batches) stepped per epoch: after 10 epochs eta = {lrs[-1]:.5f}")
        full, lost = resumed_lrs(True), resumed_lrs(False)
        print(f"3. resumed at step 60 of 100: eta at steps 59, 60, 61 uninterrupted and with scheduler state "
              f"{np.round(full[59:62], 5)}\n   without scheduler state {np.round(lost[59:62], 5)}, "
              f"and the largest eta after resuming is {lost[60:].max():.4f} (the peak should be 0.1)")
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)        # no momentum asked for
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
        print("4. SGD(lr=0.1) with no momentum, after OneCycleLR(...): momentum =",
              optimizer.param_groups[0]["momentum"])
        # --8<-- [end:demo_pitfalls]
    elif sys.argv[1:] == ["--exercise", "1"]:
        # --8<-- [start:demo_ex1]
        t = np.arange(301)                                       # three periods of T = 100, and one step
        gap = np.abs(cosine_recursive(0.1, 100, 301, 0.001) - cosine_annealing(t, 0.1, 100, 0.001))
        print(f"max |recursive - closed form| over t = 0..300 (T = 100): {gap.max():.1e}")
        print("eta at t = 99, 100, 101, 102:", cosine_recursive(0.1, 100, 103, 0.001)[99:])
        # --8<-- [end:demo_ex1]
    elif sys.argv[1:] == ["--exercise", "2"]:
        # --8<-- [start:demo_ex2]
        s, gamma, T = per_batch(30, 0.9, 90, 50)                 # StepLR(30), gamma 0.9 and T = 90, in epochs
        e = np.arange(0, 90, 10)                                 # epochs 0, 10, ..., 80
        print(f"per batch: step size {s}, gamma {gamma:.6f}, T {T}\nper epoch at epochs 0, 10, ..., 80:",
              step_decay(e, 0.1, 30, 0.1), "\nper batch at the same moments:   ", step_decay(e * 50, 0.1, s, 0.1))
        print("exponential, max |per epoch - per batch| at epoch boundaries:",
              f"{np.abs(exponential(e, 0.1, 0.9) - exponential(e * 50, 0.1, gamma)).max():.1e}")
        # --8<-- [end:demo_ex2]
    elif sys.argv[1:] == ["--exercise", "3"]:
        # --8<-- [start:demo_ex3]
        g = np.array([1e-6, -3e-3, 0.5, -40.0])                  # gradients of very different sizes
        print("first gradient:   ", g, "\nAdam's first step:", adam_first_step(g, 0.1),
              "\nSGD's first step: ", -0.1 * g)
        # --8<-- [end:demo_ex3]
    else:
        # --8<-- [start:demo]
        t = np.array([0, 10, 40, 100, 200, 300, 399])             # a few steps of a run of T = 400
        print("t:                      ", t)
        print("step decay              ", step_decay(t, 0.1, s=100, gamma=0.5))
        print("exponential             ", np.round(exponential(t, 0.1, gamma=0.99), 5))
        print("cosine                  ", np.round(cosine_annealing(t, 0.1, T=400, eta_min=0.001), 5))
        print("linear warmup from 0.01 ", np.round(linear_warmup(t, 0.1, T_w=40, eta_start=0.01), 5))
        print("warmup from 0.01, cosine", np.round(warmup_cosine(t, 0.1, T=400, T_w=40, eta_start=0.01), 5))
        print("warmup from 0, cosine   ", np.round(warmup_cosine(t, 0.1, T=400, T_w=40), 5))
        print("one-cycle               ", np.round(one_cycle(t, 0.1, T=400), 5))
        print("one-cycle momentum      ", np.round(one_cycle_momentum(t, T=400), 4))
        # --8<-- [end:demo]
