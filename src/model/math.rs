//! Numerical kernels shared by the components' rate laws.

/// `x^p`, by repeated squaring when `p` is a whole number of magnitude at most 64 (Hill
/// coefficients of 1 to 4, Simeoni's ψ = 20), else by `powf`. The two agree to a few ulps;
/// the integer path costs a handful of multiplications instead of a logarithm and an
/// exponential (`cargo bench --bench population`, one thread: 1.75 → 2.18 thousand Simeoni
/// patients per second).
#[inline]
pub(crate) fn pow(x: f64, p: f64) -> f64 {
    if p == p.trunc() && p.abs() <= 64.0 {
        x.powi(p as i32)
    } else {
        x.powf(p)
    }
}

#[cfg(test)]
mod tests {
    use super::pow;

    #[test]
    fn whole_exponents_agree_with_powf_to_a_few_ulps() {
        for &x in &[0.0, 1e-300, 0.3, 1.0, 2.5, 1e3, -1.7] {
            for p in -8..=64 {
                let (a, b) = (pow(x, f64::from(p)), x.powf(f64::from(p)));
                let close = a == b || ((a - b) / b).abs() < 1e-14;
                assert!(close, "{x}^{p}: {a} vs {b}");
            }
        }
        assert!(pow(f64::NAN, 2.0).is_nan());
        assert_eq!(pow(0.0, -2.0), f64::INFINITY);
        assert_eq!(pow(2.0, 0.5), 2f64.sqrt());
    }
}
