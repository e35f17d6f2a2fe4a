/// A possible merge of two adjacent symbols of one word during BPE.
struct MergeCandidate: Sendable {
    /// Rank of the merge rule (its line in `merges.txt`); lower merges first.
    var rank: Int
    /// Index of the left symbol in the word's initial symbols; among equal ranks the
    /// leftmost pair merges first, as in `tokenizers`.
    var position: Int
    /// The pair this candidate was made for; it is stale once either symbol has changed.
    var left: Int
    var right: Int
    /// Token id of the merged symbol.
    var result: Int

    /// Whether `self` merges before `other`.
    func precedes(_ other: MergeCandidate) -> Bool {
        rank != other.rank ? rank < other.rank : position < other.position
    }
}
