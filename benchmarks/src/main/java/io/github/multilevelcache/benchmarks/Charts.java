package io.github.multilevelcache.benchmarks;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;

import io.github.multilevelcache.benchmarks.JmhScenarios.HitResult;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The PNG charts of a run (JFreeChart, headless), one per scenario that ran.
 */
final class Charts {

	private static final int WIDTH = 900;

	private static final int HEIGHT = 480;

	private final Results results;

	Charts(Results results) {
		this.results = results;
	}

	/**
	 * The chart files this run has data for.
	 */
	List<String> files() {
		List<String> files = new ArrayList<>();
		if (this.results.hits().stream().anyMatch((hit) -> hit.benchmark().equals("l1Hit"))) {
			files.add("l1-hit.png");
		}
		if (this.results.hits().stream().anyMatch((hit) -> hit.benchmark().equals("l2Hit"))) {
			files.add("l2-hit.png");
		}
		if (!this.results.zipf().isEmpty()) {
			files.add("zipf.png");
		}
		if (!this.results.propagation().isEmpty()) {
			files.add("propagation.png");
		}
		if (!this.results.stampede().isEmpty()) {
			files.add("stampede.png");
		}
		if (!this.results.writeBehind().isEmpty()) {
			files.add("write-behind.png");
		}
		return files;
	}

	void write(Path directory) throws IOException {
		for (String file : files()) {
			JFreeChart chart = switch (file) {
				case "l1-hit.png" ->
					hits("l1Hit", "Scenario 1, L1 hit through @Cacheable: ns per lookup (lower is better)", "ns/op", 1);
				case "l2-hit.png" -> hits("l2Hit",
						"Scenario 2, L2 hit through @Cacheable: µs per lookup (lower is better)", "µs/op", 1_000);
				case "zipf.png" -> zipf();
				case "propagation.png" -> propagation();
				case "stampede.png" -> stampede();
				default -> writeBehind();
			};
			ChartUtils.saveChartAsPNG(directory.resolve(file).toFile(), chart, WIDTH, HEIGHT);
		}
	}

	private JFreeChart hits(String benchmark, String title, String axis, double divisor) {
		DefaultCategoryDataset data = new DefaultCategoryDataset();
		for (HitResult hit : this.results.hits()) {
			if (hit.benchmark().equals(benchmark) && hit.threads() == 1) {
				data.addValue(hit.nanosPerOperation() / divisor, axis, hit.kind().label());
			}
		}
		return bars(title, axis, data);
	}

	private JFreeChart zipf() {
		DefaultCategoryDataset data = new DefaultCategoryDataset();
		for (ZipfScenario.Result row : this.results.zipf()) {
			data.addValue(row.throughput(), row.kind().label(),
					row.workload().label().replace(", updates evict", "").replace(", updates put or evict", ""));
		}
		return bars("Scenario 3, two instances, Zipf workload: operations/s (higher is better)", "operations/s", data);
	}

	private JFreeChart propagation() {
		DefaultCategoryDataset data = new DefaultCategoryDataset();
		for (PropagationScenario.Result row : this.results.propagation()) {
			Latency latency = row.propagation();
			data.addValue(Math.max(latency.p50Micros(), 0.5), row.kind().label(), "p50");
			data.addValue(Math.max(latency.p99Micros(), 0.5), row.kind().label(), "p99");
			data.addValue(Math.max(latency.p999Micros(), 0.5), row.kind().label(), "p99.9");
			data.addValue(Math.max(latency.maxMicros(), 0.5), row.kind().label(), "max");
		}
		return logBars("Scenario 4, evict returns on A → key leaves B's L1: µs (log scale)", "µs", data);
	}

	private JFreeChart stampede() {
		DefaultCategoryDataset data = new DefaultCategoryDataset();
		for (StampedeScenario.Result row : this.results.stampede()) {
			data.addValue(Math.max(row.meanLoads(), 0.5), "loader calls per round", row.variant().label());
		}
		return logBars("Scenario 5, 1,000 cold misses over 4 instances: loader calls (log scale)",
				"loader calls per round", data);
	}

	private JFreeChart writeBehind() {
		DefaultCategoryDataset data = new DefaultCategoryDataset();
		for (WriteBehindScenario.Result row : this.results.writeBehind()) {
			data.addValue(row.putsPerSecond(), "accepted puts/s", WriteBehindScenario.propertyValue(row.strategy()));
		}
		return bars("Scenario 6, hot-key writes: accepted puts/s (higher is better)", "puts/s", data);
	}

	private static JFreeChart bars(String title, String axis, DefaultCategoryDataset data) {
		JFreeChart chart = ChartFactory.createBarChart(title, null, axis, data, PlotOrientation.VERTICAL, true, false,
				false);
		style(chart);
		return chart;
	}

	private static JFreeChart logBars(String title, String axis, DefaultCategoryDataset data) {
		JFreeChart chart = bars(title, axis, data);
		LogAxis log = new LogAxis(axis);
		log.setSmallestValue(0.5);
		log.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
		// one tick per decade
		log.setAutoTickUnitSelection(false);
		log.setTickUnit(new NumberTickUnit(1));
		((CategoryPlot) chart.getPlot()).setRangeAxis(log);
		return chart;
	}

	private static void style(JFreeChart chart) {
		chart.setBackgroundPaint(Color.WHITE);
		CategoryPlot plot = (CategoryPlot) chart.getPlot();
		plot.setBackgroundPaint(Color.WHITE);
		plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
		plot.getDomainAxis().setMaximumCategoryLabelLines(2);
		BarRenderer renderer = (BarRenderer) plot.getRenderer();
		renderer.setBarPainter(new StandardBarPainter());
		renderer.setShadowVisible(false);
		renderer.setMaximumBarWidth(0.15);
		// every bar carries its figure, so the chart reads without the table
		renderer
			.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0.#")));
		renderer.setDefaultItemLabelsVisible(true);
	}

}
