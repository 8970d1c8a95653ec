"""Autograd and nn.Module in PyTorch, seen through a small re-implementation.

Page: docs/foundations/autograd-and-modules.md (topic 9). A tiny NumPy Parameter / Module / Linear / ReLU /
Sequential registers parameters as nn.Module does: names, shapes, state_dict, forward values and SGD steps
equal nn.Sequential's in float64. Then autograd's rules, nn.Module's machinery, and the classic mistakes.
Papers: Rumelhart, Hinton & Williams (1986); Griewank & Walther (2008), reverse-mode automatic
differentiation; Paszke et al. (2017, 2019), PyTorch's autograd.
"""
# --8<-- [start:imports]
import os
import tempfile
import warnings
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:imports]
# --8<-- [start:module]


class Parameter:
    """An array that a Module registers as trainable, with a .grad slot (None until a backward)."""

    def __init__(self, data):
        self.data = np.array(data, dtype=np.float64)   # our own float64 copy
        self.grad = None                               # filled, then accumulated, by backward: eq. (3)


class Module:
    """Files every Parameter and Module assigned as an attribute, so they can be found recursively."""

    def __init__(self):
        object.__setattr__(self, "_parameters", {})    # name -> Parameter, in assignment order
        object.__setattr__(self, "_modules", {})       # name -> Module

    def __setattr__(self, name, value):
        if "_modules" not in self.__dict__:            # a subclass forgot super().__init__()
            raise AttributeError("cannot assign attributes before Module.__init__() call")
        if isinstance(value, Parameter):               # the whole trick: look at what is assigned.
            self._parameters[name] = value             # A list of layers is neither, so it is not filed
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def named_parameters(self, prefix=""):
        """Own parameters first, then each child's under "child.", recursively: eq. (10)."""
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, child in self._modules.items():
            yield from child.named_parameters(prefix + name + ".")

    def parameters(self):
        return (p for _, p in self.named_parameters())

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None                              # as set_to_none=True: "no gradient yet"

    def state_dict(self):
        """name -> the parameter's own array (not a copy, as in PyTorch), in named_parameters order."""
        return OrderedDict((name, p.data) for name, p in self.named_parameters())

    def load_state_dict(self, state):
        """Copy arrays into the parameters, in place; names and shapes must match (strict)."""
        params = dict(self.named_parameters())
        missing, unexpected = sorted(params.keys() - state.keys()), sorted(state.keys() - params.keys())
        if missing or unexpected:
            raise ValueError(f"state_dict keys do not match: missing {missing}, unexpected {unexpected}")
        for name, p in params.items():
            value = np.asarray(state[name], dtype=np.float64)
            if value.shape != p.data.shape:
                raise ValueError(f"{name} must have shape {p.data.shape}, got {value.shape}")
            p.data[...] = value                        # in place: whoever holds p sees the new values
# --8<-- [end:module]
# --8<-- [start:layers]


def accumulate(p, g):
    """What PyTorch's AccumulateGrad node does: .grad = g the first time, .grad + g after, eq. (3)."""
    p.grad = g.copy() if p.grad is None else p.grad + g


class Linear(Module):
    """Y = X Wᵀ + b, eq. (6), with weight W: (out_features, in_features) as in nn.Linear."""

    def __init__(self, in_features, out_features, rng=None):
        super().__init__()
        rng = np.random.default_rng(0) if rng is None else rng
        bound = 1.0 / np.sqrt(in_features)             # nn.Linear's default range (weight init topic)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)))  # (m, d)
        self.bias = Parameter(rng.uniform(-bound, bound, out_features))                   # (m,)

    def forward(self, X):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.in_features:
            raise ValueError(f"Linear(in_features={self.in_features}, out_features={self.out_features}) "
                             f"expects X of shape (N, {self.in_features}), got {X.shape}")
        self.X = X                                     # saved for backward, as autograd saves inputs
        return X @ self.weight.data.T + self.bias.data # (N, d) @ (d, m) + (m,) -> (N, m)

    def backward(self, dY):
        """Eq. (7): add dW = dYᵀ X and db = Σₙ dY into .grad; return dX = dY W for the layer below."""
        accumulate(self.weight, dY.T @ self.X)         # (m, N) @ (N, d) -> (m, d)
        accumulate(self.bias, dY.sum(axis=0))          # (m,)
        return dY @ self.weight.data                   # (N, m) @ (m, d) -> (N, d)


class ReLU(Module):
    """max(0, Z), no parameters; backward lets dA through where Z > 0, eq. (8)."""

    def forward(self, Z):
        self.mask = Z > 0                              # derivative 1 where Z > 0, else 0 (as PyTorch)
        return np.where(self.mask, Z, 0.0)

    def backward(self, dA):
        return dA * self.mask


class ModuleList(Module):
    """Registers each module under its index "0", "1", ...: a plain Python list would hide them."""

    def __init__(self, modules=()):
        super().__init__()
        for i, module in enumerate(modules):
            setattr(self, str(i), module)

    def __iter__(self):
        return iter(self._modules.values())


class Sequential(ModuleList):
    """Calls its modules in order; backward calls their backward in reverse order (the chain rule)."""

    def __init__(self, *modules):
        super().__init__(modules)

    def forward(self, X):
        for module in self:
            X = module(X)
        return X

    def backward(self, dY):
        for module in reversed(list(self)):
            dY = module.backward(dY)
        return dY
# --8<-- [end:layers]
# --8<-- [start:training]


def mlp(sizes, seed=0):
    """Sequential(Linear, ReLU, ..., Linear) for layer sizes [d, m_1, ..., m_L]."""
    rng = np.random.default_rng(seed)
    layers = [layer for d, m in zip(sizes[:-1], sizes[1:]) for layer in (Linear(d, m, rng), ReLU())]
    return Sequential(*layers[:-1])                    # no ReLU after the output layer


def mse_loss(Y_hat, Y):
    """J = mean of (Ŷ - Y)² over all N·k entries, and ∂J/∂Ŷ = 2 (Ŷ - Y) / (N k), eq. (9)."""
    if np.shape(Y_hat) != np.shape(Y):
        raise ValueError(f"Y must have the shape of Y_hat {np.shape(Y_hat)}, got {np.shape(Y)}")
    R = Y_hat - Y                                      # (N, k) residuals
    return np.mean(R ** 2), 2.0 * R / R.size


def sgd_step(parameters, lr):
    """θ ← θ - η ∂J/∂θ, eq. (4), in place: what torch.optim.SGD.step does, under no_grad."""
    for p in parameters:
        if p.grad is not None:                         # torch.optim skips parameters with no gradient
            p.data -= lr * p.grad


def train_step(model, X, Y, lr):
    """zero_grad, forward, loss, backward, update: one step of gradient descent."""
    model.zero_grad()                                  # else .grad would add to the last step's, eq. (3)
    J, dY_hat = mse_loss(model(X), Y)
    model.backward(dY_hat)
    sgd_step(model.parameters(), lr)
    return J


def problem(seed=0):
    """A 3-4-2 network and a batch of N = 5 examples with k = 2 targets, float64."""
    rng = np.random.default_rng(seed + 100)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))    # (N, d), (N, k)
    return mlp([3, 4, 2], seed), X, Y


def scratch_demo():
    """Our Sequential: its registered names and shapes, five SGD steps, and a wrong input width."""
    model, X, Y = problem()
    for name, p in model.named_parameters():
        print(f"  {name:<9} shape {p.data.shape}")
    print("state_dict keys", list(model.state_dict()))
    print("loss per SGD step", [round(float(train_step(model, X, Y, lr=0.1)), 4) for _ in range(5)])
    try:
        model(np.ones((5, 4)))
    except ValueError as err:
        print("ValueError:", err)
# --8<-- [end:training]
# --8<-- [start:mirror]


def to_torch(model):
    """Our Sequential as nn.Sequential in float64, loaded from our state_dict (strict: names must match)."""
    layers = [nn.Linear(m.in_features, m.out_features, dtype=torch.float64) if isinstance(m, Linear)
              else getattr(nn, type(m).__name__)()     # ReLU -> nn.ReLU: parameter-free twins
              for m in model]
    net = nn.Sequential(*layers)
    net.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    return net


def torch_train_step(net, optimizer, X, Y):
    """The same step in PyTorch: autograd writes every p.grad, the optimizer reads them."""
    optimizer.zero_grad(set_to_none=True)              # .grad = None: the next backward starts afresh
    loss = F.mse_loss(net(X), Y)                       # mean over all N·k entries, eq. (9)
    loss.backward()                                    # walks the recorded graph, eq. (1)
    optimizer.step()                                   # p -= lr * p.grad under torch.no_grad(), eq. (4)
    return loss.item()
# --8<-- [end:mirror]
# --8<-- [start:autograd]


def graph(fn, names):
    """What backward() will walk from grad_fn `fn`, depth first: rows (depth, label, parent row)."""
    rows, todo = [], [(fn, 0, None)]
    while todo:
        fn, depth, parent = todo.pop()
        label = "no grad" if fn is None else type(fn).__name__    # None: an input that needs no grad
        if hasattr(fn, "variable"):                    # AccumulateGrad: the leaf whose .grad it fills
            label += f"\n{names.get(id(fn.variable), 'leaf')} {tuple(fn.variable.shape)}"
        rows.append((depth, label, parent))
        todo += [(child, depth + 1, len(rows) - 1) for child, _ in reversed(fn.next_functions)] if fn else []
    return rows


def autograd_tour():
    """requires_grad, leaves, grad_fn and .grad on L = Σᵢ (wᵢ xᵢ)²."""
    w = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)  # a leaf
    x = torch.tensor([3.0, 1.0, 2.0], dtype=torch.float64)                       # data
    z = w * x                                          # made by a recorded op: not a leaf
    L = (z ** 2).sum()                                 # a scalar
    print("w.is_leaf", w.is_leaf, "| x.requires_grad", x.requires_grad,
          "| z.is_leaf", z.is_leaf, "| z.requires_grad", z.requires_grad)
    for depth, label, _ in graph(L.grad_fn, {id(w): "w"}):
        print("  " * depth + label.replace("\n", " "))
    L.backward()                                       # ∂L/∂wᵢ = 2 zᵢ xᵢ, into w.grad
    print("w.grad", w.grad.numpy(), "= 2 z x", (2 * z * x).detach().numpy())
    return w


def backward_rules():
    """A non-scalar needs a gradient vector, eq. (2); a freed graph needs retain_graph; .grad adds up."""
    w = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = w ** 2                                         # (3,): not a scalar; PowBackward0 saves w
    try:
        y.backward()
    except RuntimeError as err:
        print("y.backward(): RuntimeError:", err)
    v = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)
    y.backward(gradient=v, retain_graph=True)          # w.grad = Jᵀ v = 2 w ⊙ v, eq. (2)
    print("y.backward(gradient=v, retain_graph=True): w.grad =", w.grad.numpy())
    y.backward(gradient=v)                             # graph kept, so this works: w.grad doubles
    print("y.backward(gradient=v) again:              w.grad =", w.grad.numpy())
    try:
        y.backward(gradient=v)                         # the saved w was freed by the last call
    except RuntimeError as err:
        print("a third time: RuntimeError:", str(err).split(" Saved")[0])
    return w.grad                                      # 2 x (2 w ⊙ v): two backward calls added up


def no_grad_and_detach():
    """no_grad / inference_mode record nothing; detach shares memory; updates of leaves need no_grad."""
    w = torch.tensor([1.0, -1.0], dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        y = 2 * w                                      # computed, not recorded
    with torch.inference_mode():
        u = 2 * w                                      # the same, stricter: u may never enter a graph
    d = w.detach()                                     # cut from the graph, same memory as w
    (w.detach() * w).sum().backward()                  # sg(w)ᵀ w: gradient w, not 2w, eq. (5)
    found = {"y.grad_fn under no_grad": y.grad_fn, "u.is_inference()": u.is_inference(),
             "d.requires_grad": d.requires_grad, "d shares w's memory": d.data_ptr() == w.data_ptr(),
             "w.grad of sg(w)·w": w.grad.clone()}
    try:
        w -= 0.1 * w.grad                              # an in-place write into a leaf, recorded: refused
    except RuntimeError as err:
        found["w -= 0.1 * w.grad"] = f"RuntimeError: {err}"
    with torch.no_grad():
        w -= 0.1 * w.grad                              # the manual update, eq. (4): w stays a leaf
    found["the same under no_grad: w, w.is_leaf"] = (w.detach().clone(), w.is_leaf)
    for name, value in found.items():
        print(f"{name}: {value}")
    return found
# --8<-- [end:autograd]
# --8<-- [start:torch_modules]


class MLP(nn.Module):
    """Your own nn.Module: register the pieces in __init__, say how to combine them in forward."""

    def __init__(self, sizes, container=nn.ModuleList):
        super().__init__()                             # creates the registries: always first
        self.layers = container([nn.Linear(d, m) for d, m in zip(sizes[:-1], sizes[1:])])
        self.scale = nn.Parameter(torch.ones(1))       # a bare parameter, registered as "scale"

    def forward(self, X):
        *hidden, last = self.layers
        for layer in hidden:
            X = torch.relu(layer(X))
        return self.scale * last(X)


def list_pitfall(seed=0):
    """The same model with a plain list: its Linear layers are not registered, so SGD never sees them."""
    torch.manual_seed(seed)
    good, bad = MLP([2, 3, 1]), MLP([2, 3, 1], container=list)
    before = bad.layers[0].weight.detach().clone()
    optimizer = torch.optim.SGD(bad.parameters(), lr=0.1)      # it is only given "scale"
    torch_train_step(bad, optimizer, torch.randn(8, 2), torch.randn(8, 1))
    names = lambda net: [f"{n} {tuple(p.shape)}" for n, p in net.named_parameters()]
    return names(good), names(bad), not torch.equal(before, bad.layers[0].weight)


def modules_tour():
    good_names, bad_names, changed = list_pitfall()
    print("ModuleList:", ", ".join(good_names))
    print("plain list:", ", ".join(bad_names))
    print("plain list: first layer changed by an SGD step?", changed)
    net = MLP([2, 3, 1]).eval()                        # eval() sets .training = False everywhere...
    print("after eval(): training flags", [m.training for m in net.modules()],
          "| output requires_grad", net(torch.ones(1, 2)).requires_grad)  # ...and autograd still records


def save_and_load(net, make):
    """state_dict -> file -> a fresh model from make(): every tensor, hence every output, equal."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pt")
        torch.save(net.state_dict(), path)             # an OrderedDict: name -> tensor
        state = torch.load(path, weights_only=True)    # tensors only: no pickled code is run
    fresh = make()                                     # same class and sizes, new random weights
    fresh.load_state_dict(state)                       # strict: names and shapes must match
    return fresh


def state_tour(seed=0):
    torch.manual_seed(seed)
    make = lambda: MLP([2, 3, 1])
    net, X = make(), torch.randn(4, 2)
    print("after torch.save / torch.load, outputs equal:", torch.equal(save_and_load(net, make)(X), net(X)))
    linear, t = nn.Linear(3, 2), torch.zeros(2)
    same = linear.to("cuda" if torch.cuda.is_available() else "cpu", torch.float64) is linear  # in place
    t64 = t.to(torch.float64)                                         # a tensor: a new one; t unchanged
    print(f"linear.to(...) is linear: {same}, weight now {linear.weight.dtype}; "
          f"t.to(float64) gives {t64.dtype}, t stays {t.dtype}")
# --8<-- [end:torch_modules]
# --8<-- [start:pitfalls]


def error_of(action):
    try:
        action()
    except (RuntimeError, AttributeError) as err:
        return f"{type(err).__name__}: " + str(err).split(". ")[0].rstrip(".") + "."


class NoSuper(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(2, 1)                      # before super().__init__(): no registry yet


def pitfall_rebinding():
    """w = w - lr * w.grad makes a new, non-leaf w: the next backward leaves w.grad empty."""
    w = torch.ones(2, requires_grad=True)
    (w * w).sum().backward()
    w = w - 0.1 * w.grad                               # a recorded op: the new w is not a leaf
    (w * w).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                # reading a non-leaf's .grad warns
        return w.is_leaf, w.grad


def pitfalls(seed=0):
    torch.manual_seed(seed)
    net, X, Y = nn.Linear(3, 1), torch.randn(4, 3), torch.randn(4, 1)
    F.mse_loss(net(X), Y).backward()
    once = net.weight.grad.clone()
    F.mse_loss(net(X), Y).backward()                   # the same loss again, no zero_grad in between
    print("1. no zero_grad: .grad after 2 backward calls / after 1 =", (net.weight.grad / once).unique().tolist())
    print("2. w -= lr * w.grad outside no_grad:", error_of(lambda: torch.ones(2, requires_grad=True).sub_(1)))
    print("3. w = w - lr * w.grad: (w.is_leaf, w.grad) after the next backward =", pitfall_rebinding())
    print("4. layers in a plain list: did an SGD step change them?", list_pitfall()[2])
    print("5. eval() is not no_grad: output requires_grad =", net.eval()(X).requires_grad)
    print("6. .numpy() on a tensor that requires grad:", error_of(torch.ones(2, requires_grad=True).numpy))
    w = torch.ones(2, requires_grad=True)
    y = (w ** 2).sum()                                 # PowBackward0 saved w for the backward
    w.detach().mul_(3)                                 # same memory: w changed behind autograd's back
    print("7. backward after a detached view was modified:", error_of(y.backward))
    print("8. forgot super().__init__():", error_of(NoSuper))
    best, before = net.state_dict(), net.weight.detach().clone()   # "best" holds references
    torch_train_step(net, torch.optim.SGD(net.parameters(), lr=0.1), X, Y)
    print("9. best = net.state_dict(), then an SGD step: best changed too?", not torch.equal(best["weight"], before))
# --8<-- [end:pitfalls]
# --8<-- [start:exercise_microbatch]


def microbatch_grads(net, X, Y, K):
    """Accumulate ∇(J_k / K) over K equal micro-batches: the full-batch gradient, eq. (11)."""
    if len(X) % K:
        raise ValueError(f"N = {len(X)} examples must split into K = {K} equal micro-batches")
    net.zero_grad(set_to_none=True)
    for X_k, Y_k in zip(X.chunk(K), Y.chunk(K)):
        (F.mse_loss(net(X_k), Y_k) / K).backward()     # each backward adds to .grad, eq. (3)
    return [p.grad.clone() for p in net.parameters()]
# --8<-- [end:exercise_microbatch]
# --8<-- [start:exercise_tanh]


class Tanh(Module):
    """tanh(Z); backward multiplies by d tanh(z)/dz = 1 - tanh(z)², from the saved output."""

    def forward(self, Z):
        self.A = np.tanh(Z)
        return self.A

    def backward(self, dA):
        return dA * (1.0 - self.A ** 2)
# --8<-- [end:exercise_tanh]


def plot_graph():
    """The graph PyTorch records for F.mse_loss(net(X), Y), drawn from loss.grad_fn itself."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ours, X, Y = problem()
    net = to_torch(ours)
    loss = F.mse_loss(net(torch.from_numpy(X)), torch.from_numpy(Y))
    rows = graph(loss.grad_fn, {id(p): n for n, p in net.named_parameters()})
    y, leaves = [0.0] * len(rows), iter(range(len(rows)))
    for i in reversed(range(len(rows))):               # leaves in order, each parent between its children
        kids = [y[j] for j, row in enumerate(rows) if row[2] == i]
        y[i] = np.mean(kids) if kids else float(next(leaves))
    top = max(row[0] for row in rows)
    fig, ax = plt.subplots(figsize=(7.5, 3.0))
    boxes = [ax.text(top - d, yi, label.replace("Back", "\nBack"), ha="center", va="center", fontsize=7,
                     bbox={"boxstyle": "round", "ec": "0.6", "fc": "0.94" if label == "no grad" else "#dfe5f8"})
             for (d, label, _), yi in zip(rows, y)]
    for i, (_, _, p) in enumerate(rows):               # arrows point the way backward() travels
        if p is not None:
            ax.annotate("", xy=(1.0, 0.5), xycoords=boxes[i], xytext=(0.0, 0.5), textcoords=boxes[p],
                        arrowprops={"arrowstyle": "->", "color": "0.35", "shrinkA": 4, "shrinkB": 4})
    ax.set(xlim=(-0.6, top + 0.6), ylim=(min(y) - 0.7, max(y) + 0.7))
    ax.axis("off")
    return fig


def check():
    """Max |from scratch - PyTorch| in float64: forward, gradients (twice), three SGD steps."""
    ours, X, Y = problem()
    net = to_torch(ours)
    Xt, X_, Yt = torch.tensor(X, requires_grad=True), torch.from_numpy(X), torch.from_numpy(Y)
    diff = lambda a, t: float(np.abs(np.asarray(a) - t.detach().numpy()).max())
    theirs = dict(net.named_parameters())
    same = ([(n, p.data.shape) for n, p in ours.named_parameters()] == [(n, tuple(p.shape)) for n, p in theirs.items()]
            and list(ours.state_dict()) == list(net.state_dict()))
    print("names, shapes and state_dict keys equal to nn.Sequential's:", same)
    rows = [("forward vs nn.Sequential", diff(ours(X), net(Xt)))]
    for call in ("1st", "2nd"):                        # no zero_grad in between: both sides accumulate
        dX = ours.backward(mse_loss(ours(X), Y)[1])
        F.mse_loss(net(Xt), Yt).backward()
        rows += [(f"{call} backward: {n}.grad", diff(p.grad, theirs[n].grad)) for n, p in ours.named_parameters()]
    rows.append(("dJ/dX (Xt.grad holds 2 backwards)", diff(dX, Xt.grad / 2)))
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for step in range(1, 4):
        rows.append((f"SGD step {step}: loss", abs(train_step(ours, X, Y, 0.1) - torch_train_step(net, opt, X_, Yt))))
    rows.append(("parameters after 3 steps", max(diff(ours.state_dict()[k], v) for k, v in net.state_dict().items())))
    print("max |from scratch - PyTorch|, float64")
    for name, value in rows:
        print(f"  {name:<34} {value:.1e}")


if __name__ == "__main__":
    import sys
    tours = {"--check": check, "--pitfalls": pitfalls, "--autograd": autograd_tour, "--rules": backward_rules,
             "--no-grad": no_grad_and_detach, "--modules": modules_tour, "--state": state_tour}
    flag = next((arg for arg in sys.argv[1:] if arg in tours), None)
    if flag:
        tours[flag]()
    else:
        # --8<-- [start:demo]


        scratch_demo()
        # --8<-- [end:demo]
