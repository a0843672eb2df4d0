//! Seeded randomness without a `rand` dependency: SplitMix64 as hash and stream, Box–Muller
//! normals, and value noise on an absolute time lattice.
//!
//! Every random quantity of the generator is a pure function of `(seed, entity key, absolute time,
//! tag)`, so a day's data does not depend on which days or stations are generated with it, nor on
//! the order or the thread that generates it.

use std::f64::consts::TAU;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a bijective 64-bit mixer.
#[inline]
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of a sequence of words (order-sensitive).
#[inline]
pub(crate) fn hash(parts: &[u64]) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3_u64;
    for &p in parts {
        h = mix(h.wrapping_add(GOLDEN) ^ mix(p.wrapping_add(GOLDEN)));
    }
    h
}

/// FNV-1a of a text, for keys derived from station codes and names.
pub(crate) fn text_key(s: &str) -> u64 {
    let mut h = 0xCBF2_9CE4_8422_2325_u64;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix(h)
}

/// A uniform in the open interval (0, 1) from 53 bits of `h`.
#[inline]
pub(crate) fn unit(h: u64) -> f64 {
    ((h >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal from a hash (Box–Muller on two derived uniforms).
#[inline]
pub(crate) fn normal_of(h: u64) -> f64 {
    let u1 = unit(h);
    let u2 = unit(mix(h ^ GOLDEN));
    (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
}

/// A SplitMix64 stream with a Box–Muller normal cache.
pub(crate) struct Rng {
    state: u64,
    spare: Option<f64>,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng { state: seed, spare: None }
    }

    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// Uniform in (0, 1).
    #[inline]
    pub(crate) fn uniform(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// Uniform in (lo, hi).
    #[inline]
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Standard normal (Box–Muller, both values used).
    #[inline]
    pub(crate) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = self.uniform();
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (TAU * u2).sin_cos();
        self.spare = Some(r * s);
        r * c
    }
}

/// Smooth value noise of unit variance on an absolute hour axis: N(0,1) values on lattice points
/// every `spacing` hours, blended with a smoothstep and renormalised.
pub(crate) fn value_noise(seed: u64, key: u64, t_hour: i64, spacing: i64) -> f64 {
    let i = t_hour.div_euclid(spacing);
    let f = t_hour.rem_euclid(spacing) as f64 / spacing as f64;
    let w = f * f * (3.0 - 2.0 * f);
    let a = normal_of(hash(&[seed, key, i as u64]));
    if w == 0.0 {
        return a;
    }
    let b = normal_of(hash(&[seed, key, (i + 1) as u64]));
    (a * (1.0 - w) + b * w) / ((1.0 - w) * (1.0 - w) + w * w).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normals_have_unit_moments() {
        let mut r = Rng::new(7);
        let n = 200_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let z = r.normal();
            s += z;
            s2 += z * z;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
        let m: f64 = (0..n).map(|i| normal_of(hash(&[1, i]))).sum::<f64>() / n as f64;
        assert!(m.abs() < 0.01, "{m}");
    }

    #[test]
    fn value_noise_is_continuous_and_unit() {
        let mut prev = value_noise(3, 9, 0, 24);
        let (mut s2, n) = (0.0, 48_000);
        for t in 1..n {
            let v = value_noise(3, 9, t, 24);
            assert!((v - prev).abs() < 1.0);
            prev = v;
            s2 += v * v;
        }
        let var = s2 / n as f64;
        assert!((0.8..1.2).contains(&var), "{var}");
    }
}
