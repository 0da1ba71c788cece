package io.analytics.projections;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.analytics.core.order.Order;
import io.analytics.core.order.OrderEvent;
import io.analytics.core.order.OrderItem;
import io.analytics.core.order.OrderStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order read models, as SQL over one connection (the projection's transaction):
 * <ul>
 *   <li>{@code order_view}: every order as it is now, one row each (by id, and by user);</li>
 *   <li>{@code order_stats}: per hour and per day, orders paid, revenue and refunds, by currency;</li>
 *   <li>{@code product_sales}: units and revenue per product, per hour, per day and in total;</li>
 *   <li>{@code inventory}: units per product reserved by open orders and sold.</li>
 * </ul>
 * A view row is the order state folded by the core's own {@link Order#apply}, so the read side
 * cannot drift from the write side's rules. What an event changes is computed without SQL
 * ({@link #changes}); both the live projection (a group of events, in the same transaction as its
 * offset) and a rebuild accumulate it in memory and write it at once ({@link Bulk}).
 */
public final class OrderReadModels {

    private static final Logger log = LoggerFactory.getLogger(OrderReadModels.class);

    static final List<String> TABLES = List.of("order_view", "order_stats", "product_sales", "inventory");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Item>> ITEMS = new TypeReference<>() {};
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;
    /** Rows sent per batch: few round trips, bounded messages. */
    private static final int WRITE_CHUNK = 1000;

    /** One item as stored in {@code order_view.items}. */
    record Item(String product, int quantity, BigDecimal price) {}

    private final String suffix;

    /** @param suffix appended to every table name: empty for the live tables, a marker for a rebuild aside */
    public OrderReadModels(String suffix) {
        this.suffix = suffix;
    }

    public String table(String name) {
        return name + suffix;
    }

    public List<String> createStatements() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + table("order_view") + " (project_id VARCHAR(200) NOT NULL, order_id VARCHAR(200) NOT NULL, "
                        + "user_id VARCHAR(200) NOT NULL, status VARCHAR(20) NOT NULL, currency VARCHAR(3) NOT NULL, "
                        + "total DECIMAL(19,4) NOT NULL, paid DECIMAL(19,4) NOT NULL, refunded DECIMAL(19,4) NOT NULL, "
                        + "pending DECIMAL(19,4) NOT NULL, items VARCHAR(20000) NOT NULL, version BIGINT NOT NULL, "
                        + "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (project_id, order_id))",
                // Led by the user, not the project: an index sharing the key's leading column gave PostgreSQL a
                // second way to find an order by its key, and a plan kept from an empty table took it,
                // reading all of the project's orders for each one written (100 ms a write at 100,000 orders).
                "DROP INDEX IF EXISTS " + table("order_view") + "_by_user",
                "CREATE INDEX IF NOT EXISTS " + table("order_view") + "_of_user ON " + table("order_view") + " (user_id, project_id, created_at)",
                "CREATE TABLE IF NOT EXISTS " + table("order_stats") + " (project_id VARCHAR(200) NOT NULL, granularity VARCHAR(4) NOT NULL, "
                        + "bucket_start BIGINT NOT NULL, currency VARCHAR(3) NOT NULL, orders BIGINT NOT NULL, "
                        + "revenue DECIMAL(19,4) NOT NULL, refunds DECIMAL(19,4) NOT NULL, "
                        + "PRIMARY KEY (project_id, granularity, bucket_start, currency))",
                "CREATE TABLE IF NOT EXISTS " + table("product_sales") + " (project_id VARCHAR(200) NOT NULL, granularity VARCHAR(4) NOT NULL, "
                        + "bucket_start BIGINT NOT NULL, product_id VARCHAR(200) NOT NULL, currency VARCHAR(3) NOT NULL, "
                        + "units BIGINT NOT NULL, revenue DECIMAL(19,4) NOT NULL, "
                        + "PRIMARY KEY (project_id, granularity, bucket_start, product_id, currency))",
                "CREATE TABLE IF NOT EXISTS " + table("inventory") + " (project_id VARCHAR(200) NOT NULL, product_id VARCHAR(200) NOT NULL, "
                        + "reserved BIGINT NOT NULL, sold BIGINT NOT NULL, PRIMARY KEY (project_id, product_id))");
    }

    /**
     * An amount to add to one row of a counter table: {@code amounts} are added to the row with
     * {@code key}, which is created when missing.
     */
    record Counter(String table, List<String> keyColumns, List<Object> key, List<String> amountColumns, List<Object> amounts) {}

    /** What one event changes: the order's row as it becomes, and the counters it moves. */
    record Changes(Order after, List<Counter> counters) {}

    /** The rules of the read models, with no SQL: what {@code event} changes, given the order {@code before} it. */
    static Changes changes(String project, Order before, OrderEvent event) {
        Order after = before.apply(event);
        List<Counter> counters = new ArrayList<>();
        if (event instanceof OrderEvent.OrderCreated) {
            inventory(counters, project, after.items(), 1, 0);
        } else if (event instanceof OrderEvent.OrderCancelled) {
            inventory(counters, project, after.items(), -1, 0);
        } else if (event instanceof OrderEvent.PaymentSucceeded paid) {
            inventory(counters, project, after.items(), -1, 1);
            long hour = bucket(paid.at(), HOUR);
            long day = bucket(paid.at(), DAY);
            counters.add(stats(project, "hour", hour, after.currency(), 1, paid.amount(), BigDecimal.ZERO));
            counters.add(stats(project, "day", day, after.currency(), 1, paid.amount(), BigDecimal.ZERO));
            for (OrderItem item : after.items()) {
                counters.add(sale(project, "all", 0, item, after.currency()));
                counters.add(sale(project, "hour", hour, item, after.currency()));
                counters.add(sale(project, "day", day, item, after.currency()));
            }
        } else if (event instanceof OrderEvent.OrderRefunded refund) {
            counters.add(stats(project, "hour", bucket(refund.at(), HOUR), after.currency(), 0, BigDecimal.ZERO, refund.amount()));
            counters.add(stats(project, "day", bucket(refund.at(), DAY), after.currency(), 0, BigDecimal.ZERO, refund.amount()));
        }
        return new Changes(after, counters);
    }

    /**
     * Many events applied in memory and written at once: for the live projection a group of events
     * (the orders they touch are loaded first, rows are upserted and counters incremented), for a
     * rebuild the whole journal (into empty tables, plain inserts). A group costs a few round trips
     * whatever its size: one query loads its orders, one batch per table writes its rows.
     */
    public final class Bulk {
        private final Map<String, Order> orders = new HashMap<>();
        private final Map<String, String> projectOf = new HashMap<>();
        private final java.util.Set<String> changed = new java.util.LinkedHashSet<>();
        private final Map<List<Object>, Counter> counters = new LinkedHashMap<>();

        /** Loads the current rows of these orders ({@code <project>/<order id>}), so events apply on top of them. */
        public void load(Connection connection, java.util.Collection<String> entityIds) throws SQLException {
            Map<String, List<String>> unknownByProject = new LinkedHashMap<>();
            for (String entityId : entityIds) {
                if (!orders.containsKey(entityId)) {
                    String project = entityId.substring(0, entityId.indexOf('/'));
                    String orderId = entityId.substring(entityId.indexOf('/') + 1);
                    orders.put(entityId, Order.empty(orderId));
                    projectOf.put(entityId, project);
                    unknownByProject.computeIfAbsent(project, p -> new ArrayList<>()).add(orderId);
                }
            }
            for (Map.Entry<String, List<String>> project : unknownByProject.entrySet()) {
                for (Order order : OrderReadModels.this.load(connection, project.getKey(), project.getValue())) {
                    orders.put(project.getKey() + "/" + order.orderId(), order);
                }
            }
        }

        /** Applies the event journaled at {@code sequenceNr}; one already applied (by version) changes nothing. */
        public void apply(String entityId, long sequenceNr, OrderEvent event) {
            String project = entityId.substring(0, entityId.indexOf('/'));
            String orderId = entityId.substring(entityId.indexOf('/') + 1);
            Order before = orders.getOrDefault(entityId, Order.empty(orderId));
            if (before.version() >= sequenceNr) {
                return;
            }
            if (before.version() == 0 && !(event instanceof OrderEvent.OrderCreated)) {
                log.warn("order {}: event {} at sequence {} has no creation before it in the read model (journaled without "
                        + "its tag?); skipped: the order stays out of the read models", entityId, event.typeName(), sequenceNr);
                return;
            }
            Changes changes = changes(project, before, event);
            orders.put(entityId, changes.after());
            projectOf.put(entityId, project);
            changed.add(entityId);
            for (Counter counter : changes.counters()) {
                List<Object> id = new ArrayList<>(counter.key());
                id.add(0, counter.table());
                counters.merge(id, counter, Bulk::sum);
            }
        }

        /** Writes what changed: plain inserts into empty tables ({@code into empty}), else upserts and increments. The caller commits. */
        public void write(Connection connection, boolean intoEmptyTables) throws SQLException {
            if (intoEmptyTables) {
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table("order_view")
                        + " (project_id, order_id, user_id, status, currency, total, paid, refunded, pending, items, version, "
                        + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    int pending = 0;
                    for (String entityId : changed) {
                        bindOrder(insert, projectOf.get(entityId), orders.get(entityId));
                        insert.addBatch();
                        if (++pending % WRITE_CHUNK == 0) {
                            insert.executeBatch();
                        }
                    }
                    insert.executeBatch();
                }
            } else {
                try (PreparedStatement upsert = connection.prepareStatement(UPSERT_ORDER.replace("{table}", table("order_view")))) {
                    for (String entityId : changed) {
                        bindUpsert(upsert, projectOf.get(entityId), orders.get(entityId));
                        upsert.addBatch();
                    }
                    upsert.executeBatch();
                }
            }
            Map<String, List<Counter>> byTable = new LinkedHashMap<>();
            for (Counter counter : counters.values()) {
                byTable.computeIfAbsent(counter.table(), t -> new ArrayList<>()).add(counter);
            }
            for (List<Counter> rows : byTable.values()) {
                writeCounters(connection, rows, intoEmptyTables ? insertSql(rows.get(0)) : incrementSql(rows.get(0)));
            }
        }

        private static Counter sum(Counter a, Counter b) {
            List<Object> amounts = new ArrayList<>(a.amounts().size());
            for (int i = 0; i < a.amounts().size(); i++) {
                Object x = a.amounts().get(i);
                Object y = b.amounts().get(i);
                amounts.add(x instanceof BigDecimal d ? d.add((BigDecimal) y) : (Long) x + (Long) y);
            }
            return new Counter(a.table(), a.keyColumns(), a.key(), a.amountColumns(), amounts);
        }
    }

    public Bulk bulk() {
        return new Bulk();
    }

    /** The rows of these orders of {@code project} that exist, in one query (one statement, whatever the count). */
    private List<Order> load(Connection connection, String project, List<String> orderIds) throws SQLException {
        List<Order> found = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT order_id, user_id, status, currency, total, paid, "
                + "refunded, pending, items, version, created_at, updated_at FROM " + table("order_view")
                + " WHERE project_id = ? AND order_id = ANY(?)")) {
            select.setString(1, project);
            select.setArray(2, connection.createArrayOf("VARCHAR", orderIds.toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    found.add(new Order(row.getString(1), row.getString(2), items(row.getString(9)), row.getString(4),
                            row.getBigDecimal(5), OrderStatus.valueOf(row.getString(3)), row.getBigDecimal(6),
                            row.getBigDecimal(7), row.getBigDecimal(8), row.getLong(10),
                            Instant.ofEpochMilli(row.getLong(11)), Instant.ofEpochMilli(row.getLong(12))));
                }
            }
        }
        return found;
    }

    private static void bindOrder(PreparedStatement insert, String project, Order order) throws SQLException {
        insert.setString(1, project);
        insert.setString(2, order.orderId());
        insert.setString(3, order.userId());
        insert.setString(4, order.status().name());
        insert.setString(5, order.currency());
        insert.setBigDecimal(6, order.total());
        insert.setBigDecimal(7, order.paid());
        insert.setBigDecimal(8, order.refunded());
        insert.setBigDecimal(9, order.pendingPayment());
        insert.setString(10, itemsJson(order.items()));
        insert.setLong(11, order.version());
        insert.setLong(12, order.createdAt().toEpochMilli());
        insert.setLong(13, order.updatedAt().toEpochMilli());
    }

    private static final String UPSERT_ORDER = "MERGE INTO {table} v USING (VALUES (CAST(? AS VARCHAR(200)), "
            + "CAST(? AS VARCHAR(200)))) AS s(project_id, order_id) ON v.project_id = s.project_id AND v.order_id = s.order_id "
            + "WHEN MATCHED THEN UPDATE SET status = ?, paid = ?, refunded = ?, pending = ?, version = ?, updated_at = ? "
            + "WHEN NOT MATCHED THEN INSERT (project_id, order_id, user_id, status, currency, total, paid, refunded, pending, "
            + "items, version, created_at, updated_at) VALUES (s.project_id, s.order_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static void bindUpsert(PreparedStatement merge, String project, Order order) throws SQLException {
        merge.setString(1, project);
        merge.setString(2, order.orderId());
        merge.setString(3, order.status().name());
        merge.setBigDecimal(4, order.paid());
        merge.setBigDecimal(5, order.refunded());
        merge.setBigDecimal(6, order.pendingPayment());
        merge.setLong(7, order.version());
        merge.setLong(8, order.updatedAt().toEpochMilli());
        merge.setString(9, order.userId());
        merge.setString(10, order.status().name());
        merge.setString(11, order.currency());
        merge.setBigDecimal(12, order.total());
        merge.setBigDecimal(13, order.paid());
        merge.setBigDecimal(14, order.refunded());
        merge.setBigDecimal(15, order.pendingPayment());
        merge.setString(16, itemsJson(order.items()));
        merge.setLong(17, order.version());
        merge.setLong(18, order.createdAt().toEpochMilli());
        merge.setLong(19, order.updatedAt().toEpochMilli());
    }

    private static long bucket(Instant at, long size) {
        return Math.floorDiv(at.toEpochMilli(), size) * size;
    }

    private static Counter stats(String project, String granularity, long bucket, String currency, long orders,
            BigDecimal revenue, BigDecimal refunds) {
        return new Counter("order_stats", List.of("project_id", "granularity", "bucket_start", "currency"),
                List.of(project, granularity, bucket, currency), List.of("orders", "revenue", "refunds"), List.of(orders, revenue, refunds));
    }

    private static Counter sale(String project, String granularity, long bucket, OrderItem item, String currency) {
        return new Counter("product_sales", List.of("project_id", "granularity", "bucket_start", "product_id", "currency"),
                List.of(project, granularity, bucket, item.productId(), currency), List.of("units", "revenue"),
                List.of((long) item.quantity(), item.total()));
    }

    private static void inventory(List<Counter> counters, String project, List<OrderItem> items, int reserved, int sold) {
        for (OrderItem item : items) {
            counters.add(new Counter("inventory", List.of("project_id", "product_id"), List.of(project, item.productId()),
                    List.of("reserved", "sold"), List.of((long) reserved * item.quantity(), (long) sold * item.quantity())));
        }
    }

    /** Writes counters of one table with one statement, sent as batches. */
    private static void writeCounters(Connection connection, List<Counter> rows, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int pending = 0;
            for (Counter counter : rows) {
                List<Object> values = new ArrayList<>(counter.key());
                values.addAll(counter.amounts());
                for (int i = 0; i < values.size(); i++) {
                    statement.setObject(i + 1, values.get(i));
                }
                statement.addBatch();
                if (++pending % WRITE_CHUNK == 0) {
                    statement.executeBatch();
                }
            }
            statement.executeBatch();
        }
    }

    /** Adds a counter's amounts to its row, creating the row when missing. */
    private String incrementSql(Counter counter) {
        List<String> all = columns(counter);
        List<Object> values = new ArrayList<>(counter.key());
        values.addAll(counter.amounts());
        return "MERGE INTO " + table(counter.table()) + " t USING (VALUES ("
                + String.join(", ", values.stream().map(v -> "CAST(? AS " + sqlType(v) + ")").toList())
                + ")) AS s(" + String.join(", ", all) + ") ON "
                + String.join(" AND ", counter.keyColumns().stream().map(c -> "t." + c + " = s." + c).toList())
                + " WHEN MATCHED THEN UPDATE SET "
                + String.join(", ", counter.amountColumns().stream().map(c -> c + " = t." + c + " + s." + c).toList())
                + " WHEN NOT MATCHED THEN INSERT (" + String.join(", ", all) + ") VALUES ("
                + String.join(", ", all.stream().map(c -> "s." + c).toList()) + ")";
    }

    /** Inserts a counter's row into an empty table (bulk build). */
    private String insertSql(Counter counter) {
        List<String> all = columns(counter);
        return "INSERT INTO " + table(counter.table()) + " (" + String.join(", ", all) + ") VALUES ("
                + String.join(", ", all.stream().map(c -> "?").toList()) + ")";
    }

    private static List<String> columns(Counter counter) {
        List<String> all = new ArrayList<>(counter.keyColumns());
        all.addAll(counter.amountColumns());
        return all;
    }

    private static String sqlType(Object value) {
        if (value instanceof Long) {
            return "BIGINT";
        }
        if (value instanceof BigDecimal) {
            return "DECIMAL(19,4)";
        }
        return "VARCHAR(200)";
    }

    private static String itemsJson(List<OrderItem> items) {
        try {
            return JSON.writeValueAsString(items.stream().map(i -> new Item(i.productId(), i.quantity(), i.unitPrice())).toList());
        } catch (IOException e) {
            throw new IllegalStateException("items always serialise", e);
        }
    }

    private static List<OrderItem> items(String json) {
        try {
            return JSON.readValue(json, ITEMS).stream().map(i -> new OrderItem(i.product(), i.quantity(), i.price())).toList();
        } catch (IOException e) {
            throw new IllegalStateException("order_view.items is not the JSON this class writes: " + e.getMessage(), e);
        }
    }
}
