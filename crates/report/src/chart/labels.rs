//! Placing point labels so that they do not cover each other, the points or the legend:
//! a greedy search over eight spots around each point, in pixels.
//!
//! Direct labels read better than a numbered key in a lecture, but (model, task) points
//! often sit close together along the law's line; putting every label to the right of
//! its point would print them over one another.

use plotters::style::text_anchor::{HPos, Pos, VPos};

/// An axis-aligned box in pixels, `x0 ≤ x1`, `y0 ≤ y1` (y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PixelBox {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl PixelBox {
    /// The square of half-side `radius` around `(x, y)`: a marker.
    pub(crate) fn around((x, y): (f64, f64), radius: f64) -> PixelBox {
        PixelBox {
            x0: x - radius,
            y0: y - radius,
            x1: x + radius,
            y1: y + radius,
        }
    }

    /// Whether the two boxes share any point (touching counts).
    pub(crate) fn overlaps(&self, other: &PixelBox) -> bool {
        self.x0 <= other.x1 && other.x0 <= self.x1 && self.y0 <= other.y1 && other.y0 <= self.y1
    }

    fn overlap(&self, other: &PixelBox) -> f64 {
        let width = self.x1.min(other.x1) - self.x0.max(other.x0);
        let height = self.y1.min(other.y1) - self.y0.max(other.y0);
        width.max(0.0) * height.max(0.0)
    }

    fn area(&self) -> f64 {
        (self.x1 - self.x0) * (self.y1 - self.y0)
    }

    /// How much of the box lies outside `[0, width] × [0, height]`.
    fn outside(&self, (width, height): (f64, f64)) -> f64 {
        let inside = PixelBox {
            x0: 0.0,
            y0: 0.0,
            x1: width,
            y1: height,
        };
        self.area() - self.overlap(&inside)
    }
}

/// Where a label sits relative to its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Right,
    Left,
    UpperRight,
    LowerRight,
    UpperLeft,
    LowerLeft,
    Above,
    Below,
}

impl Side {
    /// Best first: beside the point (reads like a line of text), then the diagonals,
    /// then above and below.
    const ALL: [Side; 8] = [
        Side::Right,
        Side::Left,
        Side::UpperRight,
        Side::LowerRight,
        Side::UpperLeft,
        Side::LowerLeft,
        Side::Above,
        Side::Below,
    ];

    /// The text's anchor (the text's point that sits at the offset) and the direction
    /// of the offset from the point.
    fn layout(self) -> (HPos, VPos, f64, f64) {
        match self {
            Side::Right => (HPos::Left, VPos::Center, 1.0, 0.0),
            Side::Left => (HPos::Right, VPos::Center, -1.0, 0.0),
            Side::UpperRight => (HPos::Left, VPos::Bottom, 0.7, -0.7),
            Side::LowerRight => (HPos::Left, VPos::Top, 0.7, 0.7),
            Side::UpperLeft => (HPos::Right, VPos::Bottom, -0.7, -0.7),
            Side::LowerLeft => (HPos::Right, VPos::Top, -0.7, 0.7),
            Side::Above => (HPos::Center, VPos::Bottom, 0.0, -1.0),
            Side::Below => (HPos::Center, VPos::Top, 0.0, 1.0),
        }
    }
}

/// Where a label goes: beside its point on `side`, `offset` pixels away.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placement {
    pub side: Side,
    pub offset: (i32, i32),
}

impl Placement {
    /// The text anchor to draw the label with at `offset`.
    pub(crate) fn anchor(&self) -> Pos {
        let (h, v, _, _) = self.side.layout();
        Pos::new(h, v)
    }
}

/// Places the labels of `points` (pixels, in the plotting area of size `area`), each of
/// size `sizes[i]` (width, height), `distance` pixels from its point, in the order
/// `order` (the first placed gets the best spot). `obstacles` (the legend) are avoided
/// like the markers (`marker_radius`) and the labels already placed.
///
/// Each label takes the first spot that touches nothing and stays inside the area; when
/// every spot touches something, the one that covers least. The result is in the order
/// of `points`.
pub(crate) fn place_labels(
    points: &[(f64, f64)],
    sizes: &[(f64, f64)],
    order: &[usize],
    marker_radius: f64,
    distance: f64,
    area: (f64, f64),
    obstacles: &[PixelBox],
) -> Vec<Placement> {
    let mut taken: Vec<PixelBox> = obstacles.to_vec();
    taken.extend(points.iter().map(|&p| PixelBox::around(p, marker_radius)));
    let mut placements = vec![
        Placement {
            side: Side::Right,
            offset: (distance.round() as i32, 0),
        };
        points.len()
    ];
    for &i in order {
        let (Some(&point), Some(&size)) = (points.get(i), sizes.get(i)) else {
            continue;
        };
        let mut best: Option<(f64, PixelBox, Placement)> = None;
        for side in Side::ALL {
            let (h, v, dx, dy) = side.layout();
            let offset = ((dx * distance).round(), (dy * distance).round());
            let label = label_box(point, offset, size, h, v);
            // Leaving the plot is worse than touching a neighbour: the text would be cut
            // or run over the axis labels.
            let cost =
                4.0 * label.outside(area) + taken.iter().map(|b| label.overlap(b)).sum::<f64>();
            if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                best = Some((
                    cost,
                    label,
                    Placement {
                        side,
                        offset: (offset.0 as i32, offset.1 as i32),
                    },
                ));
            }
            if cost == 0.0 {
                break;
            }
        }
        if let Some((_, label, placement)) = best {
            taken.push(label);
            placements[i] = placement;
        }
    }
    placements
}

fn label_box(
    (x, y): (f64, f64),
    (dx, dy): (f64, f64),
    (width, height): (f64, f64),
    h: HPos,
    v: VPos,
) -> PixelBox {
    let x0 = match h {
        HPos::Left => x + dx,
        HPos::Right => x + dx - width,
        HPos::Center => x + dx - width / 2.0,
    };
    let y0 = match v {
        VPos::Top => y + dy,
        VPos::Bottom => y + dy - height,
        VPos::Center => y + dy - height / 2.0,
    };
    PixelBox {
        x0,
        y0,
        x1: x0 + width,
        y1: y0 + height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes(points: &[(f64, f64)], sizes: &[(f64, f64)], placed: &[Placement]) -> Vec<PixelBox> {
        points
            .iter()
            .zip(sizes)
            .zip(placed)
            .map(|((&p, &s), pl)| {
                let offset = (f64::from(pl.offset.0), f64::from(pl.offset.1));
                let (h, v, _, _) = pl.side.layout();
                label_box(p, offset, s, h, v)
            })
            .collect()
    }

    #[test]
    fn neighbours_do_not_overlap_and_labels_stay_inside() {
        // Three points close together in the middle, one at the right edge.
        let points = [
            (300.0, 100.0),
            (320.0, 104.0),
            (340.0, 98.0),
            (590.0, 150.0),
        ];
        let sizes = [(120.0, 16.0); 4];
        let placed = place_labels(
            &points,
            &sizes,
            &[0, 1, 2, 3],
            6.0,
            10.0,
            (600.0, 300.0),
            &[],
        );
        let labels = boxes(&points, &sizes, &placed);
        for (i, a) in labels.iter().enumerate() {
            assert_eq!(a.outside((600.0, 300.0)), 0.0, "label {i} inside: {a:?}");
            for b in &labels[i + 1..] {
                assert_eq!(a.overlap(b), 0.0, "{a:?} and {b:?}");
            }
            for &p in &points {
                assert_eq!(
                    a.overlap(&PixelBox::around(p, 6.0)),
                    0.0,
                    "{a:?} over {p:?}"
                );
            }
        }
        // To the right, the first label would cover the second point: it goes left. The
        // one at the edge turns left too.
        assert_eq!(placed[0].side, Side::Left);
        assert!(
            matches!(
                placed[3].side,
                Side::Left | Side::UpperLeft | Side::LowerLeft
            ),
            "{placed:?}"
        );
    }

    #[test]
    fn the_legend_is_avoided() {
        let legend = PixelBox {
            x0: 400.0,
            y0: 0.0,
            x1: 600.0,
            y1: 80.0,
        };
        let placed = place_labels(
            &[(380.0, 40.0)],
            &[(100.0, 16.0)],
            &[0],
            6.0,
            10.0,
            (600.0, 300.0),
            &[legend],
        );
        assert_eq!(placed[0].side, Side::Left, "{placed:?}");
    }
}
