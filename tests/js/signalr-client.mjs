// The official SignalR client against the hub at /hubs/metrics, driven by SignalRIntegrationTest.
// Usage: node signalr-client.mjs <base url> <api key>
// Prints one JSON object per line for everything it observes; reads commands from stdin:
//   subscribe <json array>   invoke Subscribe with those arguments, print the result or the error
//   stream <name>            start StreamMetrics(name), print its items
//   state                    print the connection state
//   stop                     stop the connection and exit
import * as signalR from "@microsoft/signalr";
import readline from "node:readline";

const [baseUrl, apiKey] = process.argv.slice(2);
const print = (event, body = {}) => process.stdout.write(JSON.stringify({ event, ...body }) + "\n");

const connection = new signalR.HubConnectionBuilder()
  .withUrl(`${baseUrl}/hubs/metrics`, {
    accessTokenFactory: () => apiKey,
    transport: signalR.HttpTransportType.WebSockets,
  })
  .configureLogging(signalR.LogLevel.Warning)
  .build();
// Short enough that the test sees the connection survive only thanks to the server's pings.
connection.serverTimeoutInMilliseconds = Number(process.env.SERVER_TIMEOUT_MS ?? 30000);
// Handlers return nothing: a value would be taken as the result of a client-result invocation.
connection.on("metricsUpdate", (update) => { print("update", { update }); });
connection.on("metricsLagging", (notice) => { print("lagging", { notice }); });
connection.onclose((error) => print("closed", { error: error ? String(error) : null }));

try {
  await connection.start();
  print("started", { connectionId: connection.connectionId });
} catch (error) {
  print("start_failed", { error: String(error) });
  process.exit(1);
}

const commands = readline.createInterface({ input: process.stdin });
for await (const line of commands) {
  const [command, ...rest] = line.split(" ");
  const argument = rest.join(" ");
  try {
    if (command === "subscribe") {
      const result = await connection.invoke("Subscribe", ...JSON.parse(argument));
      print("subscribed", { result });
    } else if (command === "stream") {
      connection.stream("StreamMetrics", argument).subscribe({
        next: (item) => print("item", { item }),
        complete: () => print("stream_complete"),
        error: (error) => print("stream_error", { error: String(error) }),
      });
    } else if (command === "state") {
      print("state", { state: connection.state });
    } else if (command === "stop") {
      await connection.stop();
      print("stopped");
      process.exit(0);
    }
  } catch (error) {
    print("invoke_error", { command, error: String(error) });
  }
}
