//! Period statistics building blocks (HJ 663 Annex A).

use crate::conc::{Conc, Ratio};

/// The p-th percentile of a series by HJ 663-2013 Annex A: sort ascending; `k = 1 + (n − 1)·p/100`;
/// `s` = integer part of k; `m = X(s) + (X(s+1) − X(s))·(k − s)` (`m = X(n)` when `k = n`). Exact.
/// `None` for an empty series.
pub fn percentile(values: &[Conc], p: u32) -> Option<Ratio> {
    let mut x: Vec<Conc> = values.to_vec();
    if x.is_empty() {
        return None;
    }
    x.sort_unstable();
    let n = x.len() as i128;
    // k = 1 + (n-1)·p/100 = (100 + (n-1)·p) / 100
    let k_num = 100 + (n - 1) * i128::from(p);
    let s = k_num / 100; // integer part, 1-based
    let frac = Ratio::new(k_num - s * 100, 100);
    let xs = x[(s - 1) as usize].ratio();
    if s >= n {
        return Some(x[(n - 1) as usize].ratio());
    }
    let xs1 = x[s as usize].ratio();
    let d = xs1 - xs;
    Some(xs + Ratio::new(d.num * frac.num, d.den * frac.den))
}
