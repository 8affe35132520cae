//! The one summary every benchmark prints: median and 95th percentile of its samples.

/// Median and 95th percentile of a sample (NaN for an empty one: callers time at least one
/// frame, and an empty sample must not panic).
pub fn median_p95(mut v: Vec<f64>) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

#[cfg(test)]
mod tests {
    use super::median_p95;

    #[test]
    fn median_and_p95_are_nearest_ranks_and_an_empty_sample_is_nan() {
        let (m, p) = median_p95((1..=20).rev().map(f64::from).collect());
        assert_eq!((m, p), (11.0, 19.0));
        assert_eq!(median_p95(vec![3.0]), (3.0, 3.0));
        let (m, p) = median_p95(Vec::new());
        assert!(m.is_nan() && p.is_nan());
    }
}
