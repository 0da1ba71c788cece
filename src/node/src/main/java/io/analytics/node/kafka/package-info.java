/** An in-process, single-node Apache Kafka broker (KRaft) for the embedded default and the tests. */
package io.analytics.node.kafka;
