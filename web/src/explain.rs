//! What each chart means, in plain words, for a reader who has not read the paper
//! (a class, a colleague): what is measured, how to read the picture, and where the
//! metric comes from. Shown under every chart by [`ChartCanvas`](crate::chart_canvas).

use leptos::prelude::*;

/// A chart's explanation: `what` it measures, how to `read` it, and the `paper`
/// (title, address) the metric comes from.
pub struct Explanation {
    pub what: &'static str,
    pub read: &'static str,
    pub paper: (&'static str, &'static str),
}

const MUI_PAPER: (&str, &str) = (
    "MUI and the Utility Law: arXiv 2504.07440",
    "https://arxiv.org/abs/2504.07440",
);
const AIS_PAPER: (&str, &str) = (
    "Benchmark Profiling (AIS): arXiv 2510.01232",
    "https://arxiv.org/abs/2510.01232",
);
const LPP_PAPER: (&str, &str) = (
    "Latent Performance Profiling: arXiv 2605.30018",
    "https://arxiv.org/abs/2605.30018",
);
const DEPTH_READ: &str = "The horizontal axis is relative depth: 0 is the embeddings, 1 the last layer, so a model with 12 layers and one with 30 line up. One line per run.";

/// The explanation of the chart whose canvas id is `chart`; every chart of the page
/// has one (the page test checks that each canvas is followed by its explanation).
pub fn for_chart(chart: &str) -> Option<Explanation> {
    let explanation = match chart {
        "mui-layers" => Explanation {
            what: "MUI, the Model Utilization Index, is the share of the model's MLP neurons that a task uses. For every answer the model writes, each neuron's push toward the words it writes is scored, the top 0.1% of scores per layer are kept, and the neurons behind them are counted over the whole task.",
            read: "One bar per layer, layer 0 on the left: the share of that layer's neurons the task used. Low bars with a good score mean the model solves the task with little of itself.",
            paper: MUI_PAPER,
        },
        "mui-law" => Explanation {
            what: "The Utility Law: across models and tasks, MUI falls as performance rises, close to MUI = a·ln(P) + b with a < 0. A stronger model needs fewer neurons for the same task.",
            read: "One point per run: accuracy P across, MUI up. The line is the fit over the points shown (its equation and R² above it); the table gives the authors' curve over 7-9B models. A point far below the curve at high accuracy is a hint that the task was memorized.",
            paper: MUI_PAPER,
        },
        "ais-radar" => Explanation {
            what: "AIS, the Ability Impact Score: find the weights the model relies on most for one ability (gradient × weight on a diagnostic set for that ability), switch off the top ones, and measure how far a benchmark's accuracy falls, as a share of the way down to chance.",
            read: "One shape per benchmark, one spoke per removed ability. 1 on a spoke: the benchmark falls to chance without that ability; 0: it does not need it; below 0 (inside the zero ring): it did better without it. The dashed ring is the 0.05 threshold the authors use.",
            paper: AIS_PAPER,
        },
        "ais-heatmap" => Explanation {
            what: "The same Ability Impact Scores as the radar, as a grid: every benchmark against every removed ability at once.",
            read: "Rows are benchmarks, columns the ability removed; the colour is the AIS (the scale is beside the grid). A column that is strong for every benchmark means the ablation broke the model rather than one ability: compare a smaller k.",
            paper: AIS_PAPER,
        },
        "ais-similarity" => Explanation {
            what: "How alike two benchmarks are in the abilities they need: 1 − the Jensen–Shannon divergence (in bits) between their profiles, negatives clipped to 0 and each profile scaled to sum to 1.",
            read: "1 on the diagonal; two benchmarks near 1 test the same mix of abilities, whatever their names say. n/a where a profile has no positive AIS.",
            paper: AIS_PAPER,
        },
        "lpp-radar" => Explanation {
            what: "Latent Performance Profiling describes how a model processes text, not only what it answers: how unsure its next-word predictions are (entropy, perplexity), how much each layer rewrites the hidden state (drift), how many directions the hidden states use (effective rank), and whether its confidence matches its accuracy (calibration).",
            read: "Each spoke is one scalar mapped to [0, 1] from the range under its name, so models of different sizes compare by shape. Further out is not always better: for ECE and perplexity lower is better.",
            paper: LPP_PAPER,
        },
        "lpp-depth-lens" => Explanation {
            what: "Logit-lens entropy: how unsure the model would be if it had to answer from this layer (the layer's hidden state read through the final norm and the output matrix), as a share of the largest possible entropy.",
            read: DEPTH_READ,
            paper: LPP_PAPER,
        },
        "lpp-depth-drift" => Explanation {
            what: "Layer drift: 1 − the cosine between a position's hidden state before and after a layer, averaged over positions. High where a layer rewrites what it is given; low where it passes it on.",
            read: DEPTH_READ,
            paper: LPP_PAPER,
        },
        "lpp-depth-norm" => Explanation {
            what: "Hidden scale: the size of the hidden states, ‖h‖ / √d, averaged over positions. Sudden growth is where a few huge activations appear.",
            read: DEPTH_READ,
            paper: LPP_PAPER,
        },
        "lpp-depth-anisotropy" => Explanation {
            what: "Anisotropy: the mean cosine between the hidden states of different positions. Near 1, every position points the same way and the layer uses a narrow cone of its space.",
            read: DEPTH_READ,
            paper: LPP_PAPER,
        },
        "lpp-depth-erank" => Explanation {
            what: "Effective rank: how many directions the hidden states of the probe text spread over (the exponential of the entropy of the singular values), as a share of the hidden size.",
            read: DEPTH_READ,
            paper: LPP_PAPER,
        },
        _ => return None,
    };
    Some(explanation)
}

/// The explanation of chart `chart` as a closed `<details id="{chart}-explain">`.
#[component]
pub fn Explain(chart: &'static str) -> impl IntoView {
    for_chart(chart).map(|e| {
        view! {
            <details class="explain" id=format!("{chart}-explain")>
                <summary>"What this chart shows"</summary>
                <p>{e.what}</p>
                <p>{e.read}</p>
                <p class="muted">"From: "<a href=e.paper.1 target="_blank" rel="noopener">{e.paper.0}</a></p>
            </details>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::for_chart;
    use mechscope_report::chart::DEPTH_METRICS;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn every_chart_of_the_page_is_explained_with_its_paper() {
        let charts = [
            "mui-layers",
            "mui-law",
            "ais-radar",
            "ais-heatmap",
            "ais-similarity",
            "lpp-radar",
        ]
        .into_iter()
        .chain(DEPTH_METRICS.iter().map(|m| m.id));
        for chart in charts {
            let e = for_chart(chart).unwrap_or_else(|| panic!("{chart} has no explanation"));
            assert!(
                e.what.len() > 60 && e.read.len() > 60,
                "{chart}: a real explanation"
            );
            assert!(e.paper.1.starts_with("https://arxiv.org/abs/"), "{chart}");
        }
        assert!(for_chart("not-a-chart").is_none());
    }
}
