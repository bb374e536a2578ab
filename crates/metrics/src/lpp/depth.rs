//! Per-layer values on relative depth (metrics.md §3): layer `l` of `L` sits at
//! `ρ = l / L`, and every per-layer curve is resampled to the grid 0, 0.05, ..., 1 by
//! linear interpolation, so models of different depth compare point by point.

/// Steps of the relative-depth grid: 0, 0.05, ..., 1 has 21 points.
pub const GRID_STEPS: usize = 20;

/// The relative-depth grid, `GRID_STEPS + 1` points from 0 to 1.
pub fn grid() -> Vec<f64> {
    (0..=GRID_STEPS)
        .map(|i| i as f64 / GRID_STEPS as f64)
        .collect()
}

/// Relative depth of each of `values.len()` layer values, evenly from 0 to 1 (the
/// first value at 0, the last at 1).
pub fn depths(n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![0.0],
        _ => (0..n).map(|l| l as f64 / (n - 1) as f64).collect(),
    }
}

/// `values` (one per layer, evenly spaced from ρ = 0 to 1) at each point of `at`, by
/// linear interpolation; `None` for no values.
///
/// ```
/// use mechscope_metrics::lpp::depth::resample;
/// // Three layers at ρ = 0, 0.5, 1.
/// assert_eq!(resample(&[0.0, 1.0, 3.0], &[0.0, 0.25, 0.75, 1.0]), Some(vec![0.0, 0.5, 2.0, 3.0]));
/// ```
pub fn resample(values: &[f64], at: &[f64]) -> Option<Vec<f64>> {
    match values {
        [] => None,
        [only] => Some(vec![*only; at.len()]),
        _ => {
            let last = values.len() - 1;
            Some(
                at.iter()
                    .map(|&rho| {
                        let x = rho.clamp(0.0, 1.0) * last as f64;
                        let lower = (x.floor() as usize).min(last - 1);
                        let t = x - lower as f64;
                        values[lower] * (1.0 - t) + values[lower + 1] * t
                    })
                    .collect(),
            )
        }
    }
}

/// Area under a per-layer curve over relative depth (trapezoids between layers): the
/// logit-lens entropy profile's summary, comparable across depths.
pub fn area(values: &[f64]) -> Option<f64> {
    match values {
        [] => None,
        [only] => Some(*only),
        _ => {
            let width = 1.0 / (values.len() - 1) as f64;
            Some(values.windows(2).map(|w| (w[0] + w[1]) / 2.0 * width).sum())
        }
    }
}

/// Commit depth: the first relative depth where the curve falls to half its value at
/// ρ = 0, found by linear interpolation between layers; `None` when it never does.
///
/// ```
/// use mechscope_metrics::lpp::depth::commit_depth;
/// // 1.0 at ρ = 0, 0.75 at 0.5, 0.25 at 1: half (0.5) is crossed at ρ = 0.75.
/// assert_eq!(commit_depth(&[1.0, 0.75, 0.25]), Some(0.75));
/// assert_eq!(commit_depth(&[1.0, 0.9]), None);
/// ```
pub fn commit_depth(values: &[f64]) -> Option<f64> {
    let first = *values.first()?;
    let half = first / 2.0;
    if values.len() == 1 {
        return None;
    }
    let step = 1.0 / (values.len() - 1) as f64;
    values.windows(2).enumerate().find_map(|(l, w)| {
        (w[1] <= half).then(|| {
            let t = if w[0] == w[1] {
                0.0
            } else {
                (w[0] - half) / (w[0] - w[1])
            };
            (l as f64 + t.clamp(0.0, 1.0)) * step
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_has_21_points_from_0_to_1() {
        let g = grid();
        assert_eq!(g.len(), 21);
        assert_eq!(g[0], 0.0);
        assert_eq!(g[20], 1.0);
        assert!((g[1] - 0.05).abs() < 1e-15);
    }

    #[test]
    fn resampling_keeps_the_layers_and_interpolates_between() {
        let values = [2.0, 4.0, 8.0, 16.0, 32.0];
        let at = depths(values.len());
        assert_eq!(resample(&values, &at).unwrap(), values);
        let on_grid = resample(&values, &grid()).unwrap();
        assert_eq!(on_grid.len(), 21);
        // ρ = 0.125 lies halfway between layer 0 (ρ 0) and layer 1 (ρ 0.25).
        assert!((resample(&values, &[0.125]).unwrap()[0] - 3.0).abs() < 1e-12);
        assert_eq!(resample(&[], &[0.5]), None);
        assert_eq!(resample(&[7.0], &[0.0, 1.0]), Some(vec![7.0, 7.0]));
    }

    #[test]
    fn areas_of_constant_and_linear_curves() {
        assert_eq!(area(&[1.0, 1.0, 1.0, 1.0]), Some(1.0));
        assert!((area(&[0.0, 0.5, 1.0]).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(area(&[]), None);
    }

    #[test]
    fn commit_depth_on_a_layer_and_between_layers() {
        assert_eq!(commit_depth(&[1.0, 0.5, 0.1]), Some(0.5));
        assert_eq!(commit_depth(&[0.8, 0.8, 0.0]), Some(0.75));
        assert_eq!(commit_depth(&[]), None);
        assert_eq!(commit_depth(&[1.0]), None);
    }
}
