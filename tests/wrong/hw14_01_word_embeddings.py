"""Wrong versions of HW14's word-embedding exercises (notebooks/hw14/01_word_embeddings.md)."""

PAGE = "hw14/01_word_embeddings"

WRONG = {
    "missing": {
        # names the words that ARE in the vocabulary
        "the present words": '''
def missing(kv, words):
    return [w for w in dict.fromkeys(words) if w in kv.key_to_index]
''',
        # a word asked twice is named twice
        "not once each": '''
def missing(kv, words):
    return [w for w in words if w not in kv.key_to_index]
''',
    },
    "unit": {
        # the raw vector, not scaled to length 1
        "raw vector": '''
def unit(kv, word):
    return kv[word]
''',
        # divided by the sum of its entries' magnitudes (L1) instead of its length (L2)
        "L1 norm": '''
def unit(kv, word):
    vector = kv[word]
    return vector / np.abs(vector).sum()
''',
    },
    "cosines": {
        # dot products: long (frequent) vectors win
        "no division by the lengths": '''
def cosines(kv, query):
    return kv.vectors @ query
''',
        # the ranking is right but the values are not cosines
        "query's length left out": '''
def cosines(kv, query):
    kv.fill_norms()
    return kv.vectors @ query / kv.norms
''',
    },
    "top": {
        # the lowest scores first
        "ascending order": '''
def top(kv, scores, topn, exclude=()):
    skip = {kv.key_to_index[w] for w in exclude}
    best = [i for i in np.argsort(scores, kind="stable")[: topn + len(skip)] if i not in skip]
    return [(kv.index_to_key[i], float(scores[i])) for i in best[:topn]]
''',
        # the excluded words are dropped from the first topn, so fewer than topn come back
        "excluded words cut the list short": '''
def top(kv, scores, topn, exclude=()):
    skip = {kv.key_to_index[w] for w in exclude}
    best = [i for i in np.argsort(-scores, kind="stable")[:topn] if i not in skip]
    return [(kv.index_to_key[i], float(scores[i])) for i in best]
''',
    },
    "neighbours": {
        # the word itself comes first, with cosine 1
        "the word itself kept": '''
def neighbours(kv, word, topn=10):
    return top(kv, cosines(kv, unit(kv, word)), topn)
''',
        # ranked by dot product with the unit query: frequent words with long vectors win
        "dot product instead of cosine": '''
def neighbours(kv, word, topn=10):
    return top(kv, kv.vectors @ unit(kv, word), topn, exclude=[word])
''',
    },
    "rank_of": {
        # counts from 0: the nearest word gets place 0
        "0-based place": '''
def rank_of(kv, word, other):
    scores = cosines(kv, unit(kv, word))
    scores[kv.key_to_index[word]] = -np.inf
    return int(np.sum(scores > scores[kv.key_to_index[other]]))
''',
        # the word itself (cosine 1) counts as closer than every neighbour
        "the word itself counted": '''
def rank_of(kv, word, other):
    scores = cosines(kv, unit(kv, word))
    return 1 + int(np.sum(scores > scores[kv.key_to_index[other]]))
''',
    },
    "cosine_distance": {
        # the similarity, not the distance
        "cosine similarity": '''
def cosine_distance(kv, a, b):
    return float(unit(kv, a) @ unit(kv, b))
''',
        # raw vectors: 1 - dot product
        "raw vectors": '''
def cosine_distance(kv, a, b):
    return 1.0 - float(kv[a] @ kv[b])
''',
    },
    "analogy_add": {
        # raw vectors summed: a long vector dominates the query
        "raw vectors": '''
def analogy_add(kv, positive, negative, topn=10):
    query = sum(kv[w] for w in positive) - sum(kv[w] for w in negative)
    return top(kv, cosines(kv, query), topn, exclude=[*positive, *negative])
''',
        # the negative word added instead of subtracted
        "sign of the negative word": '''
def analogy_add(kv, positive, negative, topn=10):
    query = sum(unit(kv, w) for w in positive) + sum(unit(kv, w) for w in negative)
    return top(kv, cosines(kv, query), topn, exclude=[*positive, *negative])
''',
    },
    "analogy_mul": {
        # cosines not shifted to [0, 1]: negative products flip the ranking
        "cosines not shifted": '''
def analogy_mul(kv, positive, negative, topn=10, eps=1e-6):
    numerator = np.prod([cosines(kv, unit(kv, w)) for w in positive], axis=0)
    denominator = np.prod([cosines(kv, unit(kv, w)) for w in negative], axis=0) + eps
    return top(kv, numerator / denominator, topn, exclude=[*positive, *negative])
''',
        # the query words may answer themselves
        "query words not left out": '''
def analogy_mul(kv, positive, negative, topn=10, eps=1e-6):
    def shifted(word):
        return (1 + cosines(kv, unit(kv, word))) / 2
    numerator = np.prod([shifted(w) for w in positive], axis=0)
    denominator = np.prod([shifted(w) for w in negative], axis=0) + eps
    return top(kv, numerator / denominator, topn)
''',
    },
    "offset_parallelism": {
        # offsets of the raw vectors: a long vector dominates its arrow
        "raw (non-unit) offsets": '''
def offset_parallelism(kv, pairs):
    offsets = {f"{a} → {b}": kv[b] - kv[a] for a, b in pairs}
    cosine = {}
    for key, offset in offsets.items():
        others = [v for k, v in offsets.items() if k != key]
        if others:
            mean = np.mean(others, axis=0)
            cosine[key] = float(offset @ mean / (np.linalg.norm(offset) * np.linalg.norm(mean)))
    return pd.Series(cosine, name="cosine with the other pairs' mean offset", dtype=float)
''',
        # the pair's own arrow a - b against the others' b - a
        "reversed arrow for the pair": '''
def offset_parallelism(kv, pairs):
    offsets = {f"{a} → {b}": unit(kv, b) - unit(kv, a) for a, b in pairs}
    cosine = {}
    for key, offset in offsets.items():
        others = [v for k, v in offsets.items() if k != key]
        if others:
            mean = np.mean(others, axis=0)
            cosine[key] = float(-offset @ mean / (np.linalg.norm(offset) * np.linalg.norm(mean)))
    return pd.Series(cosine, name="cosine with the other pairs' mean offset", dtype=float)
''',
        # the mean taken over all pairs, the pair itself included
        "mean includes the pair itself": '''
def offset_parallelism(kv, pairs):
    offsets = {f"{a} → {b}": unit(kv, b) - unit(kv, a) for a, b in pairs}
    mean = np.mean(list(offsets.values()), axis=0)
    cosine = {key: float(offset @ mean / (np.linalg.norm(offset) * np.linalg.norm(mean)))
              for key, offset in offsets.items()} if len(offsets) > 1 else {}
    return pd.Series(cosine, name="cosine with the other pairs' mean offset", dtype=float)
''',
    },
    "chance_cosines": {
        # the four words may repeat: a == c shares an end, a == b gives a zero arrow
        "sampling with replacement": '''
def chance_cosines(kv, n=2000, among=10000, seed=0):
    rng = np.random.default_rng(seed)
    size = min(among, len(kv.index_to_key))
    vectors = kv.get_normed_vectors()[:size]
    a, b, c, d = rng.integers(0, size, (4, n))
    first, second = vectors[b] - vectors[a], vectors[d] - vectors[c]
    return np.sum(first * second, axis=1) / (np.linalg.norm(first, axis=1) * np.linalg.norm(second, axis=1))
''',
        # the seed is not used: another draw every call
        "seed ignored": '''
def chance_cosines(kv, n=2000, among=10000, seed=0):
    rng = np.random.default_rng()
    size = min(among, len(kv.index_to_key))
    vectors = kv.get_normed_vectors()[:size]
    a, b, c, d = np.array([rng.choice(size, 4, replace=False) for _ in range(n)]).T
    first, second = vectors[b] - vectors[a], vectors[d] - vectors[c]
    return np.sum(first * second, axis=1) / (np.linalg.norm(first, axis=1) * np.linalg.norm(second, axis=1))
''',
    },
    "project_2d": {
        # the raw vectors projected: distances are not those of the unit vectors
        "raw vectors": '''
def project_2d(kv, words):
    present = [w for w in dict.fromkeys(words) if w in kv.key_to_index]
    if len(present) < 2:
        return {w: np.zeros(2) for w in present}
    points = PCA(n_components=2, svd_solver="full").fit_transform(np.array([kv[w] for w in present]))
    return dict(zip(present, points))
''',
        # a truncated SVD does not centre the points: the plane of three points is missed
        "no centring (TruncatedSVD)": '''
def project_2d(kv, words):
    from sklearn.decomposition import TruncatedSVD
    present = [w for w in dict.fromkeys(words) if w in kv.key_to_index]
    if len(present) < 2:
        return {w: np.zeros(2) for w in present}
    points = TruncatedSVD(n_components=2, random_state=0).fit_transform(np.array([unit(kv, w) for w in present]))
    return dict(zip(present, points))
''',
    },
    "cluster_separation": {
        # b over all the other words instead of the nearest other group
        "b over every other word": '''
def cluster_separation(kv, groups):
    groups = {name: [w for w in ws if w in kv.key_to_index] for name, ws in groups.items()}
    groups = {name: ws for name, ws in groups.items() if ws}
    if len(groups) < 2:
        return float("nan")
    scores = []
    for name, ws in groups.items():
        rest = [w for other, vs in groups.items() if other != name for w in vs]
        for word in ws:
            if len(ws) == 1:
                scores.append(0.0)
                continue
            a = np.mean([cosine_distance(kv, word, other) for other in ws if other != word])
            b = np.mean([cosine_distance(kv, word, other) for other in rest])
            scores.append((b - a) / max(a, b))
    return float(np.mean(scores))
''',
        # a counts the word's zero distance to itself
        "a includes the word itself": '''
def cluster_separation(kv, groups):
    groups = {name: [w for w in ws if w in kv.key_to_index] for name, ws in groups.items()}
    groups = {name: ws for name, ws in groups.items() if ws}
    if len(groups) < 2:
        return float("nan")
    scores = []
    for name, ws in groups.items():
        for word in ws:
            if len(ws) == 1:
                scores.append(0.0)
                continue
            a = np.mean([cosine_distance(kv, word, other) for other in ws])
            b = min(np.mean([cosine_distance(kv, word, other) for other in rest])
                    for other_name, rest in groups.items() if other_name != name)
            scores.append((b - a) / max(a, b))
    return float(np.mean(scores))
''',
    },
}
