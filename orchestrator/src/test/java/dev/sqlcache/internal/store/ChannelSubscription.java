package dev.sqlcache.internal.store;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A near channel's subscription to the notice channel on a thread of its own, collecting what it passes on. */
final class ChannelSubscription {

    final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    /** Ends when the subscription does. */
    final CompletableFuture<Void> listening;

    private ChannelSubscription(NearChannel channel, CompletableFuture<Void> subscribed) {
        listening = CompletableFuture.runAsync(() -> channel.listen(new NearChannel.Listener() {
            @Override
            public void subscribed() {
                subscribed.complete(null);
            }

            @Override
            public void message(String from, String message) {
                received.add(message);
            }
        }, NearChannel.NOTICE_CHANNEL));
    }

    /** Subscribes and waits (up to 10 s) until the subscription is confirmed. */
    static ChannelSubscription subscribe(NearChannel channel) throws Exception {
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        ChannelSubscription subscription = new ChannelSubscription(channel, subscribed);
        subscribed.get(10, TimeUnit.SECONDS);
        return subscription;
    }
}
