/** Event-time window assignment. */
package io.analytics.core.window;
