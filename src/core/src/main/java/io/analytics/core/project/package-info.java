/** Projects: who may send and read events, identified by API key. */
package io.analytics.core.project;
