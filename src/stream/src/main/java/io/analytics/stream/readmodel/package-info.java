/** The read model of closed metric windows and the projection that fills it. */
package io.analytics.stream.readmodel;
