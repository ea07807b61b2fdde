"""Numpy references for TF1's bucketed AUC (shared by the metrics and head tests).

Positive means strictly above a threshold; the thresholds are TF1's evenly spaced
buckets with end points -1e-7 and 1 + 1e-7."""

import numpy as np


def confusion(y, p, w, thresholds):
    y = np.asarray(y, bool)
    out = {k: np.zeros(len(thresholds)) for k in ("tp", "fp", "tn", "fn")}
    for i, t in enumerate(thresholds):
        pos = p > t
        out["tp"][i] = np.sum(w * (y & pos))
        out["fp"][i] = np.sum(w * (~y & pos))
        out["tn"][i] = np.sum(w * (~y & ~pos))
        out["fn"][i] = np.sum(w * (y & ~pos))
    return out


def tf1_thresholds(n):
    return [-1e-7] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + 1e-7]


def reference_auc(y, p, w, n, curve, method):
    c = confusion(y, p, w, tf1_thresholds(n))
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]
    eps = 1e-6
    if curve == "PR" and method == "careful_interpolation":
        total = 0.0
        for i in range(n - 1):
            dtp = tp[i] - tp[i + 1]
            dp = (tp[i] + fp[i]) - (tp[i + 1] + fp[i + 1])
            slope = dtp / dp if dp > 0 else 0.0
            p_a, p_b = tp[i] + fp[i], tp[i + 1] + fp[i + 1]
            intercept = tp[i + 1] - slope * p_b
            ratio = p_a / p_b if p_a > 0 and p_b > 0 else 1.0
            denom = tp[i + 1] + fn[i + 1]
            if denom > 0:
                total += slope * (dtp + intercept * np.log(ratio)) / denom
        return total
    rec = (tp + eps) / (tp + fn + eps)
    if curve == "ROC":
        x, yv = fp / (fp + tn + eps), rec
    else:
        x, yv = rec, (tp + eps) / (tp + fp + eps)
    area = 0.0
    for i in range(n - 1):
        height = {"trapezoidal": (yv[i] + yv[i + 1]) / 2, "minoring": min(yv[i], yv[i + 1]),
                  "majoring": max(yv[i], yv[i + 1])}[method]
        area += (x[i] - x[i + 1]) * height
    return area
