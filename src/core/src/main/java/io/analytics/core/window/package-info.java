/**
 * Event time: tumbling windows aligned to the UTC epoch ({@link io.analytics.core.window.WindowSize}),
 * the sliding and multi-size windows queries assemble from them ({@link io.analytics.core.window.WindowSpec}),
 * a partition's watermark ({@link io.analytics.core.window.Watermark}) and the stream's watermark over
 * its partitions ({@link io.analytics.core.window.OperatorWatermark}).
 */
package io.analytics.core.window;
