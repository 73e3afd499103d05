package dev.sqlcache.frameworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlcache.frameworks.HibernateTest.Customer;
import dev.sqlcache.frameworks.HibernateTest.PurchaseOrder;
import dev.sqlcache.frameworks.Support.Db;
import dev.sqlcache.stats.CacheStatistics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hibernate.Hibernate;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hibernate's batch fetch on PostgreSQL ({@code where c1_0.id = any (?)}, one array parameter) is cached, and a write
 * to one of the rows it fetched invalidates it: the next page shows the new value, read from the database, while
 * the order list, which that write did not change, stays a hit.
 */
@Timeout(90)
class BatchFetchInvalidationTest {

    @Test
    void aWriteToOneFetchedRowInvalidatesTheBatchFetch() throws Exception {
        Db db = Db.POSTGRES;
        db.require();
        String realUrl = db.realUrl("fw_hib_batch");
        Support.drop(db, realUrl, List.of("fw_hib_order", "fw_hib_customer"), List.of("fw_hib_order_seq"));
        try (SessionFactory sf = Support.sessionFactory(db, Support.sqlcacheUrl(realUrl),
                Map.of(AvailableSettings.DEFAULT_BATCH_FETCH_SIZE, "16"), Customer.class, PurchaseOrder.class)) {
            long brian = sf.fromTransaction(session -> {
                long id = 0;
                for (String name : List.of("Ada", "Brian", "Carla")) {
                    Customer customer = new Customer(name);
                    session.persist(customer);
                    session.persist(new PurchaseOrder(customer, new BigDecimal("1.50"), "OPEN"));
                    if (name.equals("Brian")) {
                        id = customer.id;
                    }
                }
                return id;
            });
            page(sf);
            CacheStatistics warm = Support.statistics(sf);
            assertEquals(List.of("Ada", "Brian", "Carla"), page(sf));
            CacheStatistics second = Support.statistics(sf).since(warm);
            assertEquals(0, second.misses(), "the second page is served from the cache: " + second);
            assertEquals(2, second.hits(), "the order list and the batch fetch of their customers: " + second);

            sf.inTransaction(session -> session.find(Customer.class, brian).name = "Bruno");
            CacheStatistics beforeThird = Support.statistics(sf);
            assertEquals(List.of("Ada", "Bruno", "Carla"), page(sf), "the write is seen");
            CacheStatistics third = Support.statistics(sf).since(beforeThird);
            assertEquals(1, third.hits(), "the order list stays cached: " + third);
            assertEquals(1, third.misses(), "the batch fetch of the written row is read again: " + third);
            assertTrue(third.bypasses().values().stream().mapToLong(Long::longValue).sum() == 0, third.toString());
        }
    }

    /** The orders, each with its customer's name: initialising one lazy customer batch-fetches the others. */
    private static List<String> page(SessionFactory sf) {
        return sf.fromSession(s -> {
            List<String> names = new ArrayList<>();
            for (PurchaseOrder o : s.createSelectionQuery("from PurchaseOrder o order by o.id", PurchaseOrder.class)
                    .getResultList()) {
                names.add(Hibernate.unproxy(o.customer, Customer.class).name);
            }
            return names;
        });
    }
}
