"""Evaluation metrics for classifiers, from scratch in NumPy, equal to scikit-learn's, beside PyTorch.

Page: docs/training/evaluation-metrics.md (topic 19). The confusion matrix, accuracy, precision, recall and F1
(binary; macro, micro and weighted averages; zero_division=0), sensitivity and specificity, the ROC curve and
ROC-AUC (by sorting the scores, ties handled as scikit-learn does, and by ranks: the Mann-Whitney statistic),
the precision-recall curve and average precision, top-k accuracy, log loss and perplexity, on a logistic
regression of scikit-learn's bundled digits. References: Fawcett (2006), "An introduction to ROC analysis",
Pattern Recognition Letters 27(8); Hanley & McNeil (1982), Radiology 143(1); Mann & Whitney (1947), Annals of
Mathematical Statistics 18(1); van Rijsbergen (1979), Information Retrieval (the F-measure); Saito &
Rehmsmeier (2015), PLoS ONE 10(3) (precision-recall vs ROC on imbalanced data); Jelinek, Mercer, Bahl & Baker
(1977), JASA 62 (perplexity).

    python code/training/evaluation_metrics.py     # metrics of a digits classifier; --check (vs scikit-learn
        and PyTorch), --pitfalls (mistakes, symptoms), --exercise 1 (to 4)
"""
import sys

# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
# --8<-- [end:torch_imports]
# --8<-- [start:classifier_imports]
import functools

from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits     # installed with scikit-learn
# --8<-- [end:classifier_imports]
# --8<-- [start:validation]


def check_classes(y, C=None, name="y_true"):
    """Class indices y (N,) as int64 in [0, C) (C = None: any index >= 0); anything else is a clear error."""
    y = np.asarray(y)
    if y.ndim != 1 or len(y) == 0:
        raise ValueError(f"{name} must have shape (N,) with N >= 1, got {y.shape}")
    if y.dtype.kind not in "iub":
        raise TypeError(f"{name} must be integer class indices (e.g. int64), got dtype {y.dtype}")
    bad = y[(y < 0) | (y >= (C if C is not None else np.inf))]
    if bad.size:
        where = f"in [0, C) = [0, {C})" if C is not None else ">= 0"
        raise ValueError(f"{name} must be class indices {where}, got {bad[0]}")
    return y.astype(np.int64)


def check_pair(y_true, y_pred, C=None):
    """Two label vectors of the same length N, both in [0, C)."""
    y_true, y_pred = check_classes(y_true, C), check_classes(y_pred, C, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have the same length N, got {len(y_true)} and {len(y_pred)}")
    return y_true, y_pred


def check_scores(y_true, s):
    """Binary labels y (N,) in {0, 1}, both present, and finite scores s (N,) (higher = more positive)."""
    y, s = check_classes(y_true, 2), np.asarray(s, dtype=np.float64)
    if s.shape != y.shape:
        raise ValueError(f"scores must have shape (N,) = {y.shape}, one per example, got {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite, got NaN or inf")
    if y.min() == y.max():
        raise ValueError(f"ROC and precision-recall need both classes 0 and 1 in y_true, got only {y[0]}")
    return y, s


def check_proba(y_true, P):
    """Labels y (N,) and probabilities P (N, C) in [0, 1] with rows summing to 1; a vector p (N,) of
    P(class 1) means P = [1 - p, p]."""
    P = np.asarray(P, dtype=np.float64)
    P = np.stack([1 - P, P], axis=1) if P.ndim == 1 else P
    if P.ndim != 2:
        raise ValueError(f"probabilities P must have shape (N, C), got {P.shape}")
    if not (np.isfinite(P).all() and P.min() >= 0 and P.max() <= 1):
        raise ValueError(f"probabilities must lie in [0, 1], got values from {P.min()} to {P.max()}")
    if not np.allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-6):
        raise ValueError("each row of P must sum to 1 (pass softmax(logits), not logits)")
    y = check_classes(y_true, P.shape[1])
    if len(y) != len(P):
        raise ValueError(f"y_true and P must have the same length N, got {len(y)} and {len(P)}")
    return y, P
# --8<-- [end:validation]
# --8<-- [start:confusion]


def confusion_matrix(y_true, y_pred, C):
    """M[i, j] = number of examples of true class i predicted as class j, eq. (1)."""
    y_true, y_pred = check_pair(y_true, y_pred, C)
    return np.bincount(C * y_true + y_pred, minlength=C * C).reshape(C, C)   # one bin per pair (i, j)


def accuracy(y_true, y_pred):
    """Fraction of right predictions, eq. (2)."""
    y_true, y_pred = check_pair(y_true, y_pred)
    return np.mean(y_true == y_pred)


def divide(a, b):
    """a / b elementwise, and 0 where b = 0: scikit-learn's zero_division=0."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)
# --8<-- [end:confusion]
# --8<-- [start:prf]


def precision_recall_f1(y_true, y_pred, C, average=None):
    """Precision, recall, F1: per class (average=None: three (C,) arrays), eqs. (4)-(5); "macro" or
    "weighted" means of them, eq. (6); "micro" from pooled counts, eq. (7); "binary": class 1 of C = 2."""
    M = confusion_matrix(y_true, y_pred, C)                  # (C, C)
    TP = np.diag(M)
    FP, FN = M.sum(axis=0) - TP, M.sum(axis=1) - TP           # column minus diagonal, row minus diagonal
    if average == "micro":
        TP, FP, FN = TP.sum(), FP.sum(), FN.sum()             # pool the counts over classes first
    prf = divide(TP, TP + FP), divide(TP, TP + FN), divide(2 * TP, 2 * TP + FP + FN)
    if average in (None, "micro"):
        return prf
    if average == "binary":
        if C != 2:
            raise ValueError(f'average="binary" needs C = 2 classes, got C = {C}; use "macro", "micro" or "weighted"')
        return tuple(m[1] for m in prf)
    if average not in ("macro", "weighted"):
        raise ValueError(f'average must be None, "binary", "macro", "micro" or "weighted", got {average!r}')
    w = np.full(C, 1 / C) if average == "macro" else M.sum(axis=1) / M.sum()   # (C,) weights summing to 1
    return tuple(w @ m for m in prf)


def sensitivity_specificity(y_true, y_pred):
    """Binary: sensitivity TP / (TP + FN) (= recall = TPR) and specificity TN / (TN + FP) (= 1 - FPR), eq. (4)."""
    (TN, FP), (FN, TP) = confusion_matrix(y_true, y_pred, 2)
    return divide(TP, TP + FN), divide(TN, TN + FP)
# --8<-- [end:prf]
# --8<-- [start:roc]


def sorted_counts(y, s):
    """Thresholds t (the distinct scores, decreasing) and TP(t), FP(t): positives and negatives with s >= t."""
    order = np.argsort(-s, kind="stable")                    # highest score first
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]     # last position of each run of tied scores
    TP = np.cumsum(y)[last]                                  # ties cross the threshold together
    return s[last], TP, (last + 1) - TP


def roc_curve(y_true, scores, drop_intermediate=True):
    """FPR and TPR, eq. (8), for thresholds from +inf (nothing predicted positive) down to the lowest score."""
    y, s = check_scores(y_true, scores)
    t, TP, FP = sorted_counts(y, s)
    if drop_intermediate and len(t) > 2:                     # inner points of straight segments: same curve
        keep = np.r_[True, (np.diff(FP, 2) != 0) | (np.diff(TP, 2) != 0), True]
        t, TP, FP = t[keep], TP[keep], FP[keep]
    TP, FP = np.r_[0, TP], np.r_[0, FP]
    return FP / FP[-1], TP / TP[-1], np.r_[np.inf, t]


def roc_auc(y_true, scores):
    """Area under the ROC curve by trapezoids, eq. (9): a run of ties is a diagonal step, worth half."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    return np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)


def average_ranks(s):
    """Ranks 1..N of the scores (smallest first); tied scores share the mean of the ranks they span."""
    order = np.argsort(s, kind="stable")
    s_sorted = s[order]
    first = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])   # start of each run of ties
    last = np.r_[first[1:], len(s)] - 1                                 # end of each run
    ranks = np.empty(len(s))
    ranks[order] = np.repeat((first + last) / 2 + 1, last - first + 1)  # mean of ranks first+1 .. last+1
    return ranks


def roc_auc_by_ranks(y_true, scores):
    """The same area from ranks, eq. (10): (sum of the positives' ranks - N+(N+ + 1)/2) / (N+ N-)."""
    y, s = check_scores(y_true, scores)
    n_pos, n_neg = y.sum(), len(y) - y.sum()
    return (average_ranks(s)[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def roc_auc_ovr(y_true, P):
    """Multi-class ROC-AUC, one-vs-rest: the mean over classes c of the AUC of P[:, c] for "is it c?"."""
    y, P = check_proba(y_true, P)
    return np.mean([roc_auc(y == c, P[:, c]) for c in range(P.shape[1])])
# --8<-- [end:roc]
# --8<-- [start:pr]


def precision_recall_curve(y_true, scores):
    """Precision and recall at every distinct threshold (decreasing), eq. (11)."""
    y, s = check_scores(y_true, scores)
    t, TP, FP = sorted_counts(y, s)
    return TP / (TP + FP), TP / TP[-1], t


def average_precision(y_true, scores):
    """AP = sum_k (R_k - R_{k-1}) P_k, eq. (11): precision weighted by each threshold's gain in recall."""
    precision, recall, _ = precision_recall_curve(y_true, scores)
    return np.sum(np.diff(np.r_[0.0, recall]) * precision)
# --8<-- [end:pr]
# --8<-- [start:proba]


def top_k_accuracy(y_true, S, k):
    """Fraction of examples whose true class is among the k highest of its C scores, eq. (12); among tied
    scores the higher class index ranks first, as in scikit-learn."""
    S = np.asarray(S, dtype=np.float64)
    if S.ndim != 2 or not np.isfinite(S).all():
        raise ValueError(f"scores S must be finite with shape (N, C), got shape {S.shape}")
    y, _ = check_pair(y_true, np.zeros(len(S), dtype=np.int64), S.shape[1])
    if not 1 <= k <= S.shape[1]:
        raise ValueError(f"k must be in [1, C] = [1, {S.shape[1]}], got {k}")
    top = np.argsort(S, axis=1, kind="stable")[:, ::-1][:, :k]   # (N, k): the k best classes of each row
    return np.mean((top == y[:, None]).any(axis=1))


def log_loss(y_true, P):
    """Mean of -log P[n, y_n] in nats, eq. (13); P is clipped to [eps, 1 - eps] as in scikit-learn, so a
    probability of exactly 0 for the truth costs -log(eps) (about 36), not infinity."""
    y, P = check_proba(y_true, P)
    eps = np.finfo(np.float64).eps
    return -np.log(np.clip(P[np.arange(len(y)), y], eps, 1 - eps)).mean()


def perplexity(Z, y):
    """exp of the mean cross-entropy in nats, eq. (14), from logits Z (N, C) by a stable log-softmax."""
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or not np.isfinite(Z).all():
        raise ValueError(f"logits Z must be finite with shape (N, C), got shape {Z.shape}")
    y, _ = check_pair(y, np.zeros(len(Z), dtype=np.int64), Z.shape[1])
    Z = Z - Z.max(axis=1, keepdims=True)                    # every exp(.) <= 1: no overflow
    log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return np.exp(-log_p[np.arange(len(y)), y].mean())
# --8<-- [end:proba]
# --8<-- [start:torch_metrics]


def torch_metrics(Z, y, k=2):
    """The same metrics from logits Z (N, C) and int64 labels y (N,), in a few lines of torch."""
    C = Z.shape[1]
    y_hat = Z.argmax(dim=1)                                              # (N,) predicted classes
    M = torch.bincount(C * y + y_hat, minlength=C * C).reshape(C, C).double()   # eq. (1)
    TP, predicted, actual = M.diag(), M.sum(dim=0), M.sum(dim=1)
    return {"accuracy": (y_hat == y).double().mean(),
            "macro precision": (TP / predicted.clamp(min=1)).mean(),    # 0 / 0 -> 0: TP = 0 there too
            "macro recall": (TP / actual.clamp(min=1)).mean(),
            "macro F1": (2 * TP / (predicted + actual).clamp(min=1)).mean(),
            f"top-{k} accuracy": (Z.topk(k, dim=1).indices == y[:, None]).any(dim=1).double().mean(),
            "perplexity": torch.exp(F.cross_entropy(Z, y))}


def torch_roc_auc(s, y):
    """ROC-AUC as P(s+ > s-) + P(s+ = s-) / 2 over all positive-negative pairs, eq. (9): O(N+ N-) memory."""
    diff = s[y == 1][:, None] - s[y == 0][None, :]                      # (N+, N-)
    return ((diff > 0).double() + 0.5 * (diff == 0).double()).mean()
# --8<-- [end:torch_metrics]
# --8<-- [start:classifier]


@functools.lru_cache(maxsize=None)
def digits_predictions(pixels=None, seed=0):
    """Test labels (N,) and predicted probabilities (N, 10) of logistic regression on load_digits, split
    75/25 stratified, standardized with training statistics. pixels: a tuple of the 64 to keep (a weak model)."""
    X, y = load_digits(return_X_y=True)
    X = X if pixels is None else X[:, list(pixels)]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    with threadpool_limits(1):                               # tiny matrices: one BLAS thread is much faster
        model = LogisticRegression(max_iter=1000).fit(scaler.transform(X_train), y_train)
    return y_test, model.predict_proba(scaler.transform(X_test))


ROW_3 = tuple(range(24, 32))     # the 8 pixels of the fourth row of the 8x8 image: a deliberately weak model
# --8<-- [end:classifier]
# --8<-- [start:pitfalls]


def majority_baseline(N=1000, positives=10):
    """1 % positives, and a 'classifier' that always answers negative (score 0 for everyone)."""
    y = np.zeros(N, dtype=np.int64)
    y[:positives] = 1
    y_hat = np.zeros(N, dtype=np.int64)
    return y, y_hat


def mean_over_batches(metric, y_true, y_pred, B):
    """The wrong way: a metric computed per batch of B and averaged over the batches."""
    return np.mean([metric(y_true[i:i + B], y_pred[i:i + B]) for i in range(0, len(y_true), B)])
# --8<-- [end:pitfalls]
# --8<-- [start:ex_threshold]


def best_f1_threshold(y_true, scores):
    """The threshold t (predict positive when s >= t) with the highest F1 = 2PR / (P + R)."""
    precision, recall, t = precision_recall_curve(y_true, scores)
    f1 = divide(2 * precision * recall, precision + recall)
    return t[np.argmax(f1)], f1.max()
# --8<-- [end:ex_threshold]


def plot_classifier():
    """Confusion matrix of the digits classifier, and ROC curves of 'is it an 8?' for a strong and a weak model."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    y, P = digits_predictions()
    fig, (ax_cm, ax_roc) = plt.subplots(1, 2, figsize=(7.5, 3.4))
    M = confusion_matrix(y, P.argmax(axis=1), 10)
    ax_cm.imshow(M, cmap="Blues", vmax=M.max() / 3)                    # saturate: off-diagonal counts show
    for (i, j), m in np.ndenumerate(M):
        if m:
            ax_cm.text(j, i, m, ha="center", va="center", fontsize=6, color="w" if i == j else "k")
    ax_cm.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
              title="confusion matrix (test set)")
    for name, pixels in [("all 64 pixels", None), ("one row of 8 pixels", ROW_3)]:
        y, P = digits_predictions(pixels)
        fpr, tpr, _ = roc_curve(y == 8, P[:, 8])
        ax_roc.plot(fpr, tpr, label=f"{name}, AUC {roc_auc(y == 8, P[:, 8]):.3f}")
    ax_roc.plot([0, 1], [0, 1], "k:", label="chance, AUC 0.5")
    ax_roc.set(xlabel="false positive rate", ylabel="true positive rate", title='ROC of "is it an 8?"')
    ax_roc.legend(frameon=False, fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def plot_thresholds():
    """The weak model's 'is it an 8?': metrics against the threshold, and the precision-recall curve."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    y, P = digits_predictions(ROW_3)
    y, s = (y == 8).astype(np.int64), P[:, 8]
    grid = np.linspace(0.0, 0.45, 46)
    rows = np.array([[accuracy(y, (s >= t).astype(np.int64)),
                      *precision_recall_f1(y, (s >= t).astype(np.int64), 2, "binary")] for t in grid])
    fig, (ax, ax_pr) = plt.subplots(1, 2, figsize=(7.5, 3))
    for column, name in enumerate(["accuracy", "precision", "recall", "F1"]):
        ax.plot(grid, rows[:, column], label=name)
    ax.axhline(1 - y.mean(), color="k", ls=":", label='accuracy of "never an 8"')
    ax.set(xlabel="threshold t (predict 8 when score ≥ t)", title="metrics against the threshold")
    ax.legend(frameon=False, fontsize=7, loc="center right")
    precision, recall, _ = precision_recall_curve(y, s)
    ax_pr.step(np.r_[0, recall], np.r_[precision[0], precision], where="pre",       # the rectangles of AP
               label=f"AP {average_precision(y, s):.3f}")
    ax_pr.axhline(y.mean(), color="k", ls=":", label="chance (share of 8s)")
    ax_pr.set(xlabel="recall", ylabel="precision", title="precision-recall curve")
    ax_pr.legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return fig


def check():
    """Print, for each from-scratch metric, the max |difference| against scikit-learn and PyTorch."""
    import sklearn.metrics as skm
    rng = np.random.default_rng(0)
    C, N = 4, 200
    y, y_hat = rng.integers(0, C, N), rng.integers(0, C - 1, N)         # class 3 is never predicted
    S = rng.normal(size=(N, C)).round(1)                                # rounded: many ties
    P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
    b, s = rng.integers(0, 2, N), rng.integers(0, 5, N) / 4              # binary labels, scores with ties
    b_hat = (s >= 0.5).astype(np.int64)
    labels = list(range(C))
    rows = [("confusion_matrix", confusion_matrix(y, y_hat, C), skm.confusion_matrix(y, y_hat, labels=labels)),
            ("accuracy", accuracy(y, y_hat), skm.accuracy_score(y, y_hat))]
    for avg in (None, "macro", "micro", "weighted"):
        ours = precision_recall_f1(y, y_hat, C, avg)
        for name, value, f in zip(("precision", "recall", "F1"), ours,
                                  (skm.precision_score, skm.recall_score, skm.f1_score)):
            rows.append((f"{name}, average={avg}", value, f(y, y_hat, labels=labels, average=avg, zero_division=0)))
    rows += [("specificity", sensitivity_specificity(b, b_hat)[1], skm.recall_score(b, b_hat, pos_label=0)),
             ("roc_curve (fpr, tpr)", np.r_[roc_curve(b, s)[:2]], np.r_[skm.roc_curve(b, s)[:2]]),
             ("roc_auc (ties)", roc_auc(b, s), skm.roc_auc_score(b, s)),
             ("roc_auc_by_ranks (ties)", roc_auc_by_ranks(b, s), skm.roc_auc_score(b, s)),
             ("roc_auc_ovr", roc_auc_ovr(y, P), skm.roc_auc_score(y, P, multi_class="ovr")),
             ("average_precision", average_precision(b, s), skm.average_precision_score(b, s)),
             ("top_k_accuracy, k=2 (ties)", top_k_accuracy(y, S, 2), skm.top_k_accuracy_score(y, S, k=2)),
             ("log_loss", log_loss(y, P), skm.log_loss(y, P))]
    print(f"{'from scratch, vs sklearn.metrics':34} max |diff|")
    for name, ours, theirs in rows:
        print(f"{name:34} {np.max(np.abs(np.asarray(ours, dtype=float) - theirs)):.1e}")
    Z, y_t = torch.as_tensor(S * 3), torch.as_tensor(y)
    torch_rows = torch_metrics(Z, y_t)
    ours = {"accuracy": accuracy(y, S.argmax(axis=1)), "perplexity": perplexity(S * 3, y),
            "macro F1": precision_recall_f1(y, (S * 3).argmax(axis=1), C, "macro")[2]}
    print(f"\n{'from scratch, vs PyTorch':34} max |diff|")
    for name in ours:
        print(f"{name:34} {abs(ours[name] - torch_rows[name].item()):.1e}")
    print(f"{'roc_auc vs torch_roc_auc':34} {abs(roc_auc(b, s) - torch_roc_auc(torch.as_tensor(s), torch.as_tensor(b)).item()):.1e}")


def demo_torch():
    # --8<-- [start:demo_torch]

    y, P = digits_predictions()
    Z, y = torch.log(torch.as_tensor(P)), torch.as_tensor(y)      # log-probabilities are valid logits
    for name, value in torch_metrics(Z, y).items():
        print(f"{name:16} {value.item():.4f}")
    is_8 = (y == 8).long()
    print(f"{'ROC-AUC of 8':16} {torch_roc_auc(Z[:, 8], is_8).item():.4f}")
    # --8<-- [end:demo_torch]


def pitfalls():
    # --8<-- [start:demo_pitfalls]

    y, y_hat = majority_baseline()                                 # 990 negatives, 10 positives
    P, R, F1 = precision_recall_f1(y, y_hat, 2, "binary")
    print(f"always 'negative' at 1 % positives: accuracy {accuracy(y, y_hat):.3f}, precision {P:.3f}, "
          f"recall {R:.3f}, F1 {F1:.3f}, ROC-AUC {roc_auc(y, np.zeros(len(y))):.3f}")
    print(f"  macro recall (= balanced accuracy) {precision_recall_f1(y, y_hat, 2, 'macro')[1]:.3f}")
    y, P = digits_predictions(ROW_3)
    is_8, s = (y == 8).astype(np.int64), P[:, 8]
    print(f"weak model, 'is it an 8?': ROC-AUC from scores {roc_auc(is_8, s):.3f}, "
          f"from 0/1 predictions at t = 0.2 {roc_auc(is_8, s >= 0.2):.3f}")
    for t in (0.5, 0.2, 0.1):
        P8, R8, F8 = precision_recall_f1(is_8, (s >= t).astype(np.int64), 2, "binary")
        print(f"  threshold {t}: precision {P8:.3f}, recall {R8:.3f}, F1 {F8:.3f}")
    y_hat = P.argmax(axis=1)
    f1 = lambda a, b: precision_recall_f1(a, b, 10, "macro")[2]   # noqa: E731
    print(f"macro F1 on all {len(y)} test digits {f1(y, y_hat):.3f}, mean over batches of 32 "
          f"{mean_over_batches(f1, y, y_hat, 32):.3f}")
    Z = np.log(P)
    ppl_batches = np.mean([perplexity(Z[i:i + 32], y[i:i + 32]) for i in range(0, len(y), 32)])
    print(f"perplexity on all {perplexity(Z, y):.3f}, mean of per-batch perplexities {ppl_batches:.3f}")
    # --8<-- [end:demo_pitfalls]


def exercises(which):
    if which == "1":
        # --8<-- [start:demo_ex_micro]

        rng = np.random.default_rng(0)
        y, y_hat = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
        print("micro precision, recall, F1:", [f"{m:.4f}" for m in precision_recall_f1(y, y_hat, 5, "micro")],
              f" accuracy: {accuracy(y, y_hat):.4f}")
        # --8<-- [end:demo_ex_micro]
    elif which == "2":
        # --8<-- [start:demo_ex_monotone]

        rng = np.random.default_rng(0)
        y = rng.integers(0, 2, 300)
        s = y + rng.normal(size=300)                                 # scores that carry some information
        for name, t in [("s", s), ("exp(s)", np.exp(s)), ("sigmoid(3s)", 1 / (1 + np.exp(-3 * s))),
                        ("s rounded to an integer", s.round()), ("-s", -s)]:
            print(f"ROC-AUC of {name:24} {roc_auc(y, t):.4f}")
        # --8<-- [end:demo_ex_monotone]
    elif which == "3":
        # --8<-- [start:demo_ex_perplexity]

        for C in (2, 10, 50257):
            print(f"uniform over C = {C:5}: perplexity {perplexity(np.zeros((3, C)), np.array([0, 1, 1])):.2f}")
        print(f"p(truth) = 1/4 every time: perplexity {perplexity(np.log([[0.25, 0.75]] * 4), np.zeros(4, int)):.2f}")
        # --8<-- [end:demo_ex_perplexity]
    else:
        # --8<-- [start:demo_ex_threshold]

        y, P = digits_predictions(ROW_3)
        t, f1 = best_f1_threshold(y == 8, P[:, 8])
        print(f"weak model, 'is it an 8?': best threshold {t:.3f}, F1 {f1:.3f}")
        # --8<-- [end:demo_ex_threshold]


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        check()
    elif "--pitfalls" in sys.argv[1:]:
        pitfalls()
    elif "--exercise" in sys.argv[1:]:
        exercises(sys.argv[sys.argv.index("--exercise") + 1])
    else:
        # --8<-- [start:demo]

        y, P = digits_predictions()                                # (450,), (450, 10)
        y_hat = P.argmax(axis=1)
        print(f"logistic regression, {len(y)} test digits: accuracy {accuracy(y, y_hat):.4f}, "
              f"top-2 accuracy {top_k_accuracy(y, P, 2):.4f}")
        print(f"log loss {log_loss(y, P):.4f} nats, perplexity {perplexity(np.log(P), y):.4f}, "
              f"ROC-AUC (one-vs-rest) {roc_auc_ovr(y, P):.4f}")
        for average in ("macro", "micro", "weighted"):
            print(f"{average:8} precision, recall, F1:",
                  " ".join(f"{m:.4f}" for m in precision_recall_f1(y, y_hat, 10, average)))
        per_class = np.stack(precision_recall_f1(y, y_hat, 10), axis=1)   # (10, 3)
        print("digit  precision  recall  F1")
        for c, (p, r, f) in enumerate(per_class):
            print(f"{c:5}  {p:9.3f}  {r:6.3f}  {f:.3f}")
        print(f"'is it an 8?': ROC-AUC {roc_auc(y == 8, P[:, 8]):.4f} (by ranks {roc_auc_by_ranks(y == 8, P[:, 8]):.4f}), "
              f"average precision {average_precision(y == 8, P[:, 8]):.4f}")
        # --8<-- [end:demo]
        print()
        demo_torch()
