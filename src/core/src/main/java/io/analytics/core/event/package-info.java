/** Events: the validated {@link io.analytics.core.event.AnalyticsEvent}, its validation rules and its wire format. */
package io.analytics.core.event;
