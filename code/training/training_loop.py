"""The training loop done right: modes, devices, seeds, checkpoints that resume exactly, clipping, bfloat16.

Page: docs/training/training-loop.md (topic 17). A small MLP (Linear, BatchNorm1d, ReLU, Dropout, Linear) on
a synthetic 4-class task, trained by AdamW with warm-up and cosine decay, gradient-norm clipping and optional
bfloat16 autocast. The loop is written out step by step; a checkpoint holds the model, the optimizer, the
scheduler, the data position and every random generator, so a resumed run continues bit for bit. Clipping
by global norm (Pascanu, Mikolov & Bengio 2013) and by value are written from scratch and match
torch.nn.utils; bfloat16 rounding is written in NumPy and matches torch. Adam: Kingma & Ba (2015); AdamW:
Loshchilov & Hutter (2019); dropout: Srivastava et al. (2014); batch normalization: Ioffe & Szegedy (2015);
mixed precision: Micikevicius et al. (2018); bfloat16: Kalamkar et al. (2019).

    python code/training/training_loop.py    # train; also --check (vs PyTorch), --amp (bfloat16),
        --torch (PyTorch's own clipping and GradScaler), --pitfalls (mistakes, symptoms), --exercise 2 (to 4)
"""
import functools
import sys

# --8<-- [start:imports]
import contextlib
import itertools
import math
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
# --8<-- [end:imports]
# --8<-- [start:config]
D, H, C, SPREAD = 16, 64, 4, 0.6      # inputs, hidden units, classes; how far apart the classes sit
N_TRAIN, N_VAL, BATCH_SIZE, EPOCHS, SEED = 512, 512, 64, 25, 0
LR, WEIGHT_DECAY, WARMUP, MAX_NORM, P_DROP = 3e-3, 0.01, 16, 1.0, 0.2   # AdamW, warm-up steps, clipping
# --8<-- [end:config]
# --8<-- [start:data]


def make_data(n, seed):
    """n points in R^D from C overlapping Gaussian clouds (one per class) around fixed random centres."""
    centres = SPREAD * torch.randn(C, D, generator=torch.Generator().manual_seed(1234))   # (C, D)
    g = torch.Generator().manual_seed(seed)        # its own generator: the data never depend on SEED
    y = torch.randint(0, C, (n,), generator=g)                   # (n,) int64 class indices
    X = centres[y] + torch.randn(n, D, generator=g)              # (n, D): centre plus unit noise
    return TensorDataset(X, y)


def make_model(p_drop=P_DROP):
    """Dropout and batch norm are the two layers that behave differently in train and eval mode."""
    return nn.Sequential(nn.Linear(D, H), nn.BatchNorm1d(H), nn.ReLU(), nn.Dropout(p_drop), nn.Linear(H, C))
# --8<-- [end:data]
# --8<-- [start:seeding]


def set_seed(seed):
    """Seed every generator the run draws from; return a separate one for the DataLoader's shuffling."""
    random.seed(seed)                              # Python's random module
    np.random.seed(seed)                           # NumPy's global generator
    torch.manual_seed(seed)                        # torch on the CPU and on every GPU: init, dropout
    return torch.Generator().manual_seed(seed)     # the data order, independent of the model's draws


@contextlib.contextmanager
def deterministic():
    """Inside: every op uses a deterministic algorithm (or raises if it has none); then as before."""
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)
# --8<-- [end:seeding]
# --8<-- [start:device]


def get_device():
    """The best device present: a CUDA GPU, else Apple's MPS, else the CPU (always there)."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
# --8<-- [end:device]
# --8<-- [start:setup]


def warmup_cosine(t, warmup, total):
    """Learning-rate factor at step t: linear warm-up to 1, then cosine decay to 0 at step `total`."""
    if t < warmup:
        return (t + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (t - warmup) / max(1, total - warmup))))


@dataclass
class Run:
    """Everything that changes during training: the state S_t of eq. (4), plus where it lives."""
    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    loader: DataLoader                             # training batches, shuffled
    val_loader: DataLoader                         # validation batches, in order
    device: torch.device
    pos: dict                                      # epoch, batch within it, shuffle generator at its start


def setup(seed=SEED, device=None, epochs=EPOCHS, lr=LR, p_drop=P_DROP):
    """Build a run, in a fixed order, from one seed."""
    generator = set_seed(seed)
    device = torch.device(device) if device is not None else get_device()
    model = make_model(p_drop).to(device)          # parameters and buffers move to the device
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)
    loader = DataLoader(make_data(N_TRAIN, seed=1), batch_size=BATCH_SIZE, shuffle=True, generator=generator)
    # A DataLoader draws one number from its generator per epoch, even unshuffled: give it its own, or
    # it draws from the global one, and evaluating would change the dropout masks (Pitfall 3).
    val_loader = DataLoader(make_data(N_VAL, seed=2), batch_size=256, generator=torch.Generator())
    total = epochs * len(loader)                   # optimizer steps in the whole run
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: warmup_cosine(t, WARMUP, total))
    return Run(model, optimizer, scheduler, loader, val_loader, device,
               pos={"epoch": 0, "batch": 0, "order_rng": generator.get_state()})
# --8<-- [end:setup]
# --8<-- [start:clip]


def vector_norm(v, q):
    """(sum_i |v_i|^q)^(1/q), computed as a * (sum_i |v_i / a|^q)^(1/q) with a = max |v_i|: no overflow."""
    a = v.abs().max()
    if q == math.inf or a == 0 or not torch.isfinite(a):
        return a                                    # the inf-norm is the max itself
    return a * ((v.abs() / a) ** q).sum() ** (1 / q)


def clip_grad_norm(parameters, max_norm, norm_type=2.0):
    """Scale every gradient by min(1, max_norm / (||g|| + 1e-6)), eqs. (9)-(10); return ||g|| before."""
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float)) or not max_norm > 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
    if not (norm_type == math.inf or (isinstance(norm_type, (int, float)) and norm_type >= 1)):
        raise ValueError(f"norm_type must be a number >= 1 or math.inf, got {norm_type!r}")
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    with torch.no_grad():
        per_tensor = torch.stack([vector_norm(g.flatten(), norm_type) for g in grads])   # (tensors,)
        total = vector_norm(per_tensor, norm_type)          # eq. (9): all gradients as one long vector
        if not torch.isfinite(total):
            raise ValueError(f"cannot clip: the gradient norm is {total.item()} (a gradient holds NaN or "
                             "inf); skip this step or lower the learning rate")
        coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)   # eq. (10): shrink only, never enlarge
        for g in grads:
            g.mul_(coef)                                    # one factor for all: the direction is kept
    return total


def clip_grad_value(parameters, clip_value):
    """Clamp each gradient entry into [-clip_value, clip_value], eq. (11); the direction may change."""
    if isinstance(clip_value, bool) or not isinstance(clip_value, (int, float)) or not clip_value > 0:
        raise ValueError(f"clip_value must be a positive number, got {clip_value!r}")
    with torch.no_grad():
        for p in parameters:
            if p.grad is not None:
                g = p.grad                          # above v -> v, below -v -> -v, else unchanged
                g.copy_(torch.where(g > clip_value, clip_value, torch.where(g < -clip_value, -clip_value, g)))
# --8<-- [end:clip]
# --8<-- [start:loop]


def train_step(run, X, y, max_norm=MAX_NORM, amp_dtype=None):
    """One optimizer step on one batch (X, y). Returns the batch loss as a float."""
    X, y = X.to(run.device), y.to(run.device)       # 1. the batch goes where the model is
    run.optimizer.zero_grad(set_to_none=True)       # 2. .grad accumulates: clear the last step's
    with torch.autocast(run.device.type, dtype=amp_dtype or torch.bfloat16, enabled=amp_dtype is not None):
        loss = nn.functional.cross_entropy(run.model(X), y)   # 3. forward pass and loss (float32)
    loss.backward()                                 # 4. backward pass: every parameter's .grad
    if max_norm is not None:                        # 5. clip AFTER backward, BEFORE the update
        clip_grad_norm(run.model.parameters(), max_norm)
    run.optimizer.step()                            # 6. update, eq. (7)
    run.scheduler.step()                            # 7. the next step's learning rate (per step)
    return loss.item()                              # a float: holding the tensor would hold its graph


def train_steps(run, n_steps, **step_kw):
    """n_steps optimizer steps from the run's position (epoch, batch), across epochs. Returns the losses."""
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    losses = []
    while len(losses) < n_steps:
        run.model.train()                           # top of each epoch: dropout on, batch stats, eqs. (1)-(3)
        run.loader.generator.set_state(run.pos["order_rng"])      # replay this epoch's shuffle...
        for X, y in itertools.islice(run.loader, run.pos["batch"], None):   # ...past the batches done
            losses.append(train_step(run, X, y, **step_kw))
            run.pos["batch"] += 1
            if len(losses) == n_steps:
                return losses
        # The loader is exhausted, with every draw it makes from its generator made: the next epoch's
        # order starts from the generator's state now (replaying, we never count those draws ourselves).
        run.pos = {"epoch": run.pos["epoch"] + 1, "batch": 0, "order_rng": run.loader.generator.get_state()}
    return losses


def evaluate(model, loader, device):
    """(mean loss, accuracy) over a whole set, in eval mode and without recording a graph."""
    model.eval()                                    # dropout off, batch norm uses running statistics, eq. (3)
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():                           # nothing here is differentiated: no graph, less memory
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            logits = model(X)                       # (B, C)
            total += nn.functional.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(dim=1) == y).sum().item()
            n += len(y)
    return total / n, correct / n


def fit(run, epochs, checkpoint=None, **step_kw):
    """Train epoch by epoch. Returns rows (train loss, val loss, val accuracy, lr), one per epoch, and
    every step's loss. With a checkpoint path, saves the whole training state after each epoch."""
    history, losses = [], []
    for epoch in range(epochs):
        losses += train_steps(run, len(run.loader), **step_kw)          # one epoch; model.train() inside
        val_loss, val_acc = evaluate(run.model, run.val_loader, run.device)   # model left in eval mode
        history.append((np.mean(losses[-len(run.loader):]), val_loss, val_acc, run.scheduler.get_last_lr()[0]))
        if checkpoint is not None:
            save_checkpoint(checkpoint, run)        # a crash now costs at most one epoch
    return np.array(history), losses                # (epochs, 4), (epochs * steps per epoch,)
# --8<-- [end:loop]
# --8<-- [start:checkpoint]


def save_checkpoint(path, run):
    """Save the whole training state S_t of eq. (4): the next step depends on all of it."""
    state = np.random.get_state()
    torch.save({"model": run.model.state_dict(),           # weights AND buffers (batch-norm statistics)
                "optimizer": run.optimizer.state_dict(),   # AdamW's m, v and step count per parameter
                "scheduler": run.scheduler.state_dict(),   # where the learning-rate schedule is
                "position": run.pos,                       # epoch, batch, shuffle generator state
                "rng": {"torch": torch.get_rng_state(),    # dropout masks come from here
                        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
                        "numpy": (state[1].tolist(), *state[2:]),   # plain lists: loads with weights_only
                        "python": random.getstate()}}, path)


def load_checkpoint(path, run):
    """Put a saved state into a freshly built run (same architecture); training then continues exactly."""
    ckpt = torch.load(path, map_location="cpu", weights_only=True)   # tensors and containers only: safe
    missing = {"model", "optimizer", "scheduler", "position", "rng"} - set(ckpt)
    if missing:
        raise ValueError(f"checkpoint {path} lacks {sorted(missing)}: resuming needs the whole training "
                         "state, as save_checkpoint writes it, not only model.state_dict()")
    run.model.load_state_dict(ckpt["model"])                  # copies onto the model's device
    run.optimizer.load_state_dict(ckpt["optimizer"])          # moves the state to the parameters' device
    run.scheduler.load_state_dict(ckpt["scheduler"])
    run.pos = ckpt["position"]
    rng = ckpt["rng"]
    torch.set_rng_state(rng["torch"])
    if rng["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])
    np.random.set_state(("MT19937", np.array(rng["numpy"][0], dtype=np.uint32), *rng["numpy"][1:]))
    random.setstate(rng["python"])
# --8<-- [end:checkpoint]
# --8<-- [start:resume]


def interrupted_run(n_steps, k, path, keep_optimizer_state=True):
    """Train k steps, save, rebuild everything from ANOTHER seed (a new process), load, train n_steps - k."""
    run = setup()
    losses = train_steps(run, k)
    save_checkpoint(path, run)
    run = setup(seed=SEED + 1)                     # wrong weights, wrong generators: the file must fix all
    load_checkpoint(path, run)
    if not keep_optimizer_state:                   # the pitfall: AdamW restarts with m = v = 0, t = 0
        run.optimizer.state.clear()
    return run, losses + train_steps(run, n_steps - k)


def optimizer_tensors(optimizer):
    """Every tensor of the optimizer's state (exp_avg, exp_avg_sq, step), in a fixed order."""
    state = optimizer.state_dict()["state"]
    return [state[i][key] for i in sorted(state) for key in sorted(state[i])]


@contextlib.contextmanager
def recorded_updates(run):
    """Inside: each optimizer step appends ||theta_after - theta_before|| to the list it yields."""
    flat = lambda: torch.cat([p.detach().flatten() for p in run.model.parameters()])   # noqa: E731 a copy
    before, sizes = [], []
    hooks = (run.optimizer.register_step_pre_hook(lambda *_: before.append(flat())),
             run.optimizer.register_step_post_hook(lambda *_: sizes.append((flat() - before.pop()).norm().item())))
    try:
        yield sizes
    finally:
        for hook in hooks:
            hook.remove()
# --8<-- [end:resume]
# --8<-- [start:bf16]


def to_bfloat16(x):
    """Round float32 values to the nearest bfloat16 (ties to even), eq. (12); returned as float32."""
    x = np.asarray(x)
    if x.dtype != np.float32:
        raise TypeError(f"x must be float32 (bfloat16 is the top 16 bits of a float32), got {x.dtype}; "
                        "use x.astype(np.float32) first")
    bits = x.view(np.uint32).astype(np.uint64)     # the 32 bits of each number, with room to carry
    keep_even = (bits >> 16) & 1                   # last kept bit: an exact tie rounds to make it 0
    rounded = ((bits + 0x7FFF + keep_even) >> 16 << 16).astype(np.uint32)   # round, drop 16 low bits
    return np.where(np.isnan(x), x, rounded.view(np.float32))   # a NaN's bits could round to inf


def linear_bf16(X, W, b):
    """nn.Linear as CPU autocast runs it: X, W, b rounded to bf16, exact products summed, bf16 out."""
    Xr, Wr, br = (to_bfloat16(a).astype(np.float64) for a in (X, W, b))  # (N, d), (m, d), (m,)
    return to_bfloat16((Xr @ Wr.T + br).astype(np.float32))               # (N, m)
# --8<-- [end:bf16]
# --8<-- [start:amp_dtypes]


def autocast_dtypes(model, X, y):
    """The dtype of what each layer receives and returns, and of the loss, inside bf16 autocast."""
    seen = []
    hooks = [m.register_forward_hook(lambda m, i, o: seen.append((type(m).__name__, i[0].dtype, o.dtype)))
             for m in model]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = nn.functional.cross_entropy(model(X), y)           # on autocast's float32 list
    for h in hooks:
        h.remove()
    loss.backward()
    return seen, loss.dtype, {p.grad.dtype for p in model.parameters()}
# --8<-- [end:amp_dtypes]
# --8<-- [start:torch_loop]


def train_step_torch(run, X, y, scaler, max_norm=MAX_NORM):
    """The same step with PyTorch's own tools: float16 + GradScaler on a GPU, bfloat16 elsewhere."""
    X, y = X.to(run.device), y.to(run.device)
    run.optimizer.zero_grad(set_to_none=True)
    dtype = torch.float16 if run.device.type == "cuda" else torch.bfloat16
    with torch.autocast(run.device.type, dtype=dtype):
        loss = nn.functional.cross_entropy(run.model(X), y)
    scaler.scale(loss).backward()                  # loss * S: float16 gradients do not underflow, eq. (13)
    scaler.unscale_(run.optimizer)                 # divide by S first, so max_norm means what it says
    torch.nn.utils.clip_grad_norm_(run.model.parameters(), max_norm)
    scaler.step(run.optimizer)                     # skips the step if a gradient is inf or NaN
    scaler.update()                                # adapts S
    run.scheduler.step()
    return loss.item()
# --8<-- [end:torch_loop]
# --8<-- [start:pitfalls]


def eval_mode_pitfall(run):
    """Predict the validation set twice in train mode (model.eval() forgotten), then twice in eval mode:
    [(accuracy of pass 1, of pass 2, predictions that changed between them)] for train, then eval mode."""
    X, y = run.val_loader.dataset.tensors           # (N_VAL, D), (N_VAL,)
    results = []
    for training in (True, False):
        run.model.train(training)
        with torch.no_grad():
            first, second = run.model(X).argmax(dim=1), run.model(X).argmax(dim=1)
        results.append(((first == y).double().mean().item(), (second == y).double().mean().item(),
                        (first != second).sum().item()))
    return results


def batch_order(extra_draw, own_generator):
    """The first epoch's order of 8 examples; extra_draw stands for any change that draws a random number."""
    generator = set_seed(SEED)
    if extra_draw:
        torch.rand(1)                              # e.g. one more layer initialized, or a dropout added
    loader = DataLoader(torch.arange(8), batch_size=8, shuffle=True,
                        generator=generator if own_generator else None)
    return next(iter(loader)).tolist()


def evaluation_changes_training(own_generator, steps=8):
    """Max |parameter difference| between training 2 * steps straight, and with a validation pass between."""
    straight = setup()
    train_steps(straight, 2 * steps)
    interleaved = setup()
    train_steps(interleaved, steps)
    val = interleaved.val_loader if own_generator else DataLoader(interleaved.val_loader.dataset, batch_size=256)
    evaluate(interleaved.model, val, interleaved.device)    # draws from the global generator if no own one
    train_steps(interleaved, steps)
    return max((p - q).abs().max().item() for p, q in zip(straight.model.parameters(),
                                                          interleaved.model.parameters()))


def clip_order(clip_before_step, max_norm=1.0, lr=0.1):
    """One SGD step on a batch with an outlier: how far the parameters move (clip before or after step)."""
    torch.manual_seed(SEED)
    model, X, y = nn.Linear(4, 1), torch.randn(8, 4), torch.randn(8, 1)
    X[0] *= 1000                                   # one corrupted example: an exploding gradient
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    before = [p.detach().clone() for p in model.parameters()]
    nn.functional.mse_loss(model(X), y).backward()
    if clip_before_step:
        clip_grad_norm(model.parameters(), max_norm)
    optimizer.step()
    if not clip_before_step:
        clip_grad_norm(model.parameters(), max_norm)   # too late: the step has been taken
    return math.sqrt(sum(((p.detach() - b) ** 2).sum().item() for p, b in zip(model.parameters(), before)))
# --8<-- [end:pitfalls]
# --8<-- [start:ex_adam]


def first_adam_step(g, lr=LR):
    """Exercise 2: the first step of a fresh Adam from theta = 0 with gradient g, divided by lr."""
    theta = nn.Parameter(torch.zeros(len(g), dtype=torch.float64))
    optimizer = torch.optim.Adam([theta], lr=lr)
    theta.grad = torch.tensor(g, dtype=torch.float64)
    optimizer.step()
    return (theta.detach() / lr).tolist()          # eq. (8): -g / (|g| + eps) ~ -sign(g)
# --8<-- [end:ex_adam]
# --8<-- [start:ex_accumulate]


def accumulation_gap(micro_batches, seed=SEED):
    """Exercise 3: max |gradient of one batch - sum of micro-batch gradients of loss / k| (float64)."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, C)).double()   # no dropout, no BN
    X, y = torch.randn(32, D, dtype=torch.float64), torch.randint(0, C, (32,))
    nn.functional.cross_entropy(model(X), y).backward()
    big = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    for X_k, y_k in zip(X.chunk(micro_batches), y.chunk(micro_batches)):   # equal parts of the batch
        (nn.functional.cross_entropy(model(X_k), y_k) / micro_batches).backward()   # .grad adds up
    return max((p.grad - g).abs().max().item() for p, g in zip(model.parameters(), big))
# --8<-- [end:ex_accumulate]
# --8<-- [start:ex_sum]


def running_sum(n, dtype):
    """Exercise 4: 1 + 1 + ... (n ones) with the running sum stored in dtype after every addition."""
    s = torch.zeros((), dtype=dtype)
    for _ in range(n):
        s = s + torch.ones((), dtype=dtype)        # rounded to dtype at every step
    return s.item()
# --8<-- [end:ex_sum]


@contextlib.contextmanager
def quiet_and_exact():
    """One thread (tiny matrices: more only wait) and deterministic algorithms; both restored after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with deterministic():
            yield
    finally:
        torch.set_num_threads(threads)            # the site's build runs many modules in one process


@functools.lru_cache(maxsize=1)
def _runs(k_epochs=10, before=16, after=48):
    """The page's run, with its update sizes and a checkpoint after k_epochs; two resumes from there."""
    with quiet_and_exact(), tempfile.TemporaryDirectory() as tmp:
        run, path = setup(), Path(tmp, "ckpt.pt")
        with recorded_updates(run) as whole:
            history, _ = fit(run, k_epochs)
            save_checkpoint(path, run)
            rest, _ = fit(run, EPOCHS - k_epochs)
        k, curves = k_epochs * len(run.loader), [whole]
        for keep in (True, False):
            resumed = setup(seed=SEED + 1)
            load_checkpoint(path, resumed)
            if not keep:
                resumed.optimizer.state.clear()     # what a checkpoint without the optimizer gives
            with recorded_updates(resumed) as sizes:
                train_steps(resumed, after)
            curves.append(whole[:k] + sizes)
    curves = np.array([c[k - before:k + after] for c in curves])
    return np.vstack([history, rest]), np.arange(k - before, k + after) + 1, curves, k


def plot_training():
    """Left: the run's losses, accuracy and learning rate. Right: update sizes around a resume."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    history, steps, curves, k = _runs()
    fig, (ax, ax_r) = plt.subplots(1, 2, figsize=(7, 2.9))
    epochs = np.arange(1, len(history) + 1)
    for col, label in enumerate(("train loss (train mode)", "val loss", "val accuracy")):
        ax.plot(epochs, history[:, col], label=label)
    ax.plot(epochs, history[:, 3] / LR, ":", color="gray", label="learning rate / peak")
    ax.set(xlabel="epoch", ylim=(0, 2.05), title="the page's run")
    ax.legend(frameon=False, fontsize=7, ncol=2, loc="upper right")
    for curve, style, label in zip(curves, ("-", "--", "-"),
                                   ("uninterrupted", "resumed, full checkpoint", "resumed, optimizer state lost")):
        ax_r.plot(steps, curve, style, label=label)
    ax_r.axvline(k + 0.5, color="gray", lw=0.8)
    ax_r.set(xlabel=f"step (checkpoint after step {k})", ylabel="update size ||Δθ||", title="resuming")
    ax_r.legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return fig


def check():
    """Max |from scratch - PyTorch| (float64), then the exactness of seeding and resuming."""
    gap = lambda xs, ys: max((x - y).abs().max().item() for x, y in zip(xs, ys))   # noqa: E731
    rows = []
    for q in (2.0, 1.0, math.inf, "value"):     # norm orders q of eq. (9), then eq. (11)
        torch.manual_seed(1)
        ours, theirs = nn.Linear(5, 3).double(), nn.Linear(5, 3).double()
        theirs.load_state_dict(ours.state_dict())
        X = torch.randn(4, 5, dtype=torch.float64)
        for m in (ours, theirs):
            (m(X) ** 2).sum().backward()           # the same gradients in both
        if q == "value":
            clip_grad_value(ours.parameters(), 0.5)
            nn.utils.clip_grad_value_(theirs.parameters(), 0.5)
        else:
            n_ours = clip_grad_norm(ours.parameters(), 0.5, q)
            n_torch = nn.utils.clip_grad_norm_(theirs.parameters(), 0.5, q)
            rows.append((f"clip_grad_norm, q = {q:g}: total norm", abs(n_ours - n_torch).item()))
        rows.append((f"clip_grad_{'value' if q == 'value' else f'norm, q = {q:g}'}: gradients",
                     gap([q.grad for q in ours.parameters()], [q.grad for q in theirs.parameters()])))
    rng = np.random.default_rng(0)                  # float32 numbers from 1e-30 to 1e30
    x = (rng.normal(size=6000) * 10.0 ** rng.integers(-30, 31, size=6000)).astype(np.float32)
    rows.append(("to_bfloat16 vs .to(torch.bfloat16)",
                 np.abs(to_bfloat16(x) - torch.from_numpy(x).bfloat16().float().numpy()).max()))
    print(f"{'from scratch vs PyTorch':44} max |difference|")
    for name, value in rows:
        print(f"{name:44} {value:.1e}")
    n, k = 3 * N_TRAIN // BATCH_SIZE + 5, 2 * N_TRAIN // BATCH_SIZE - 3    # k and n in different epochs
    a = setup()
    train_steps(a, n)
    b = setup()                                     # after a: the runs share the global generator
    train_steps(b, n)
    with tempfile.TemporaryDirectory() as tmp:
        resumed, _ = interrupted_run(n, k, Path(tmp, "ckpt.pt"))
        lost, _ = interrupted_run(n, k, Path(tmp, "ckpt.pt"), keep_optimizer_state=False)
    state = lambda run: list(run.model.state_dict().values())              # noqa: E731
    print(f"\n{n} steps, checkpoint after step {k}:{'':14}max |difference| from the first run")
    for name, value in (("second run, same seed: parameters, buffers", gap(state(b), state(a))),
                        ("resumed from checkpoint: parameters, buffers", gap(state(resumed), state(a))),
                        ("resumed from checkpoint: AdamW state",
                         gap(optimizer_tensors(resumed.optimizer), optimizer_tensors(a.optimizer))),
                        ("resumed, optimizer state lost: parameters", gap(state(lost), state(a)))):
        print(f"{name:44} {value:.1e}")


def amp_demo():
    run = setup(device="cpu")
    seen, loss_dtype, grad_dtypes = autocast_dtypes(run.model, *next(iter(run.loader)))
    print("inside torch.autocast('cpu', dtype=torch.bfloat16):")
    for name, dt_in, dt_out in seen:
        print(f"  {name:12} receives {str(dt_in):15} returns {dt_out}")
    print(f"  cross_entropy returns {loss_dtype}; the parameters stay {run.model[0].weight.dtype} and "
          f"their gradients are {', '.join(map(str, grad_dtypes))}")
    X, y = run.val_loader.dataset.tensors
    run.model.eval()
    with torch.no_grad():
        full = nn.functional.cross_entropy(run.model(X), y).item()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            half = nn.functional.cross_entropy(run.model(X), y).item()
            Z = run.model[0](X).float().numpy()    # the first layer's output, computed in bf16
    ours = linear_bf16(X.numpy(), *(p.detach().numpy() for p in run.model[0].parameters()))
    print(f"validation loss: float32 {full:.6f}, bfloat16 autocast {half:.6f}, relative difference "
          f"{abs(half - full) / full:.1e}\nlinear_bf16 vs the autocast first layer: max |difference| "
          f"{np.abs(ours - Z).max():.1e} over {Z.size} outputs")
    for dtype in (torch.float32, torch.bfloat16, torch.float16):
        print(f"a gradient of 1e-8 stored as {str(dtype):14} -> {torch.tensor(1e-8, dtype=dtype).item():.3e}")


def pitfalls():
    run = setup()
    fit(run, 10)                                     # the figure's checkpoint: after 10 epochs
    with tempfile.TemporaryDirectory() as tmp:
        save_checkpoint(Path(tmp, "ckpt.pt"), run)
        with recorded_updates(run) as sizes:         # the step the uninterrupted run takes next
            train_steps(run, 1)
        lost = setup(seed=SEED + 1)
        load_checkpoint(Path(tmp, "ckpt.pt"), lost)
        lost.optimizer.state.clear()                 # a checkpoint without optimizer.state_dict()
        with recorded_updates(lost) as sizes_lost:
            train_steps(lost, 1)
    clean = evaluate(run.model, run.val_loader, run.device)[1]
    for mode, (acc_1, acc_2, changed) in zip(("train mode (eval forgotten)", "eval mode"), eval_mode_pitfall(run)):
        print(f"{'1.' if mode[0] == 't' else '  '} {mode:27}: val accuracy {acc_1:.4f}, then {acc_2:.4f}; "
              f"{changed} of {N_VAL} predictions changed between the two passes")
    print(f"   eval mode, before the train-mode passes moved batch norm's statistics: val accuracy {clean:.4f}")
    run.model.train()
    try:
        run.model(run.val_loader.dataset.tensors[0][:1])   # one example, batch norm in train mode
    except ValueError as error:
        print("   one example in train mode:", error)
    eta, P = lost.optimizer.param_groups[0]["lr"], sum(p.numel() for p in lost.model.parameters())
    print(f"2. first update after resuming at step {10 * len(run.loader)}, ||Δθ||: uninterrupted "
          f"{sizes[0]:.4f}, optimizer state lost {sizes_lost[0]:.4f}; eq. (8) predicts about "
          f"η√P = {eta:.2e} × √{P} = {eta * P ** 0.5:.4f}")
    for own in (False, True):
        print(f"3. DataLoader {'with' if own else 'without'} its own generator: first epoch's order",
              batch_order(False, own), "-> after one extra random draw", batch_order(True, own))
        print(f"   parameters after a validation pass mid-training vs none: max |difference| "
              f"{evaluation_changes_training(own):.1e}")
    print(f"4. one SGD step (lr 0.1) on a batch with an outlier, ||Δθ||: clip before the step "
          f"{clip_order(True):.4f}, clip after the step {clip_order(False):.1f}")


def exercises(which):
    if which == "2":
        g = [1e-6, -1e-2, 1.0, -1e3]
        print(f"gradient g:            {g}\nfirst Adam step / lr:  {np.round(first_adam_step(g), 6).tolist()}")
    elif which == "3":
        for k in (1, 2, 4, 8):
            print(f"{k} micro-batches: max |difference| from the one-batch gradient {accumulation_gap(k):.1e}")
    else:
        for dtype in (torch.float32, torch.bfloat16, torch.float16):
            print(f"1000 ones summed in {str(dtype):14}: {running_sum(1000, dtype):g}")


if __name__ == "__main__":
    with quiet_and_exact():
        if "--check" in sys.argv[1:]:
            check()
        elif "--amp" in sys.argv[1:]:
            amp_demo()
        elif "--pitfalls" in sys.argv[1:]:
            pitfalls()
        elif "--exercise" in sys.argv[1:]:
            exercises(sys.argv[sys.argv.index("--exercise") + 1])
        elif "--torch" in sys.argv[1:]:
            # --8<-- [start:demo_torch]
            torch.set_num_threads(1)               # tiny matrices: more threads only wait for each other
            with deterministic():
                run = setup()
                scaler = torch.amp.GradScaler(run.device.type, enabled=run.device.type == "cuda")  # float16 only
                for epoch in range(EPOCHS):
                    run.model.train()                  # top of each epoch
                    losses = [train_step_torch(run, X, y, scaler) for X, y in run.loader]
                val_loss, val_acc = evaluate(run.model, run.val_loader, run.device)
            print(f"PyTorch's tools on {run.device}, autocast {torch.get_autocast_dtype(run.device.type)}: "
                  f"after {EPOCHS} epochs, val loss {val_loss:.5f}, val accuracy {val_acc:.4f}")
            # --8<-- [end:demo_torch]
        else:
            # --8<-- [start:demo]
            torch.set_num_threads(1)               # tiny matrices: more threads only wait for each other
            with deterministic(), tempfile.TemporaryDirectory() as folder:   # same seed: same numbers
                run = setup()
                print(f"device: {run.device}; {len(run.loader)} steps per epoch, {EPOCHS} epochs")
                history, losses = fit(run, EPOCHS, checkpoint=Path(folder, "checkpoint.pt"))
            print("epoch  train loss  val loss  val acc  learning rate")
            for epoch in (1, 2, 3, 5, 10, 15, 20, 25):
                print(f"{epoch:5d}  {history[epoch - 1, 0]:10.4f}  {history[epoch - 1, 1]:8.5f}  "
                      f"{history[epoch - 1, 2]:7.4f}  {history[epoch - 1, 3]:.2e}")
            # --8<-- [end:demo]
