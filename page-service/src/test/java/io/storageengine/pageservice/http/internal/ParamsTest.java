package io.storageengine.pageservice.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Path and query values per page-api.md; every malformed one is a 400 naming the parameter. */
class ParamsTest {
    private static void badRequest(ThrowingCallable call, String detail) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.slug()).isEqualTo("bad-request");
        }).hasMessageContaining(detail);
    }

    @Test
    void idsAsHexOrDashedUuid() {
        TimelineKey a = Params.timeline("0123456789abcdef0123456789abcdef", "fedcba98-7654-3210-fedc-ba9876543210");
        TimelineKey b = Params.timeline("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");
        assertThat(a).isEqualTo(b);
        badRequest(() -> Params.tenant(null), "missing tenant id");
        badRequest(() -> Params.tenant(""), "missing tenant id");
        badRequest(() -> Params.timelineId(""), "missing timeline id");
        assertThatThrownBy(() -> Params.tenant("xyz")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> Params.timelineId("0123")).isInstanceOf(ApiException.class);
    }

    @Test
    void lsnsInBothFormsAbsentIsNull() {
        assertThat(Params.lsnOrNull("lsn", null)).isNull();
        assertThat(Params.lsnOrNull("lsn", "0/16B3748")).isEqualTo(Lsn.of(0x16B3748));
        assertThat(Params.lsnOrNull("lsn", "23803720")).isEqualTo(Lsn.of(23803720));
        badRequest(() -> Params.lsnOrNull("not_modified_since", "0/zz"), "not_modified_since: ");
    }

    @Test
    void notModifiedSinceMayNotBeAfterTheLsnComparedUnsigned() {
        Params.checkNotModifiedSince(Lsn.of(10), Lsn.of(10));
        Params.checkNotModifiedSince(Lsn.of(10), null);
        Params.checkNotModifiedSince(null, Lsn.of(10));
        Params.checkNotModifiedSince(Lsn.MAX, Lsn.of(Long.MAX_VALUE));
        badRequest(() -> Params.checkNotModifiedSince(Lsn.of(10), Lsn.of(11)), "is after lsn");
        badRequest(() -> Params.checkNotModifiedSince(Lsn.of(Long.MAX_VALUE), Lsn.MAX), "is after lsn");
    }

    @Test
    void forksByNameOrNumberMainWhenAbsent() {
        assertThat(Params.fork(null)).isEqualTo(Fork.MAIN);
        assertThat(Params.fork("fsm")).isEqualTo(Params.fork("1"));
        badRequest(() -> Params.fork("nope"), "fork: ");
    }

    @Test
    void unsigned32BitNumbers() {
        assertThat(Params.u32("block", null, 7)).isEqualTo(7);
        assertThat(Params.u32("block", "0")).isZero();
        assertThat(Params.u32("block", "4294967295")).isEqualTo(0xFFFF_FFFFL);
        badRequest(() -> Params.u32("block", "4294967296"), "block: 4294967296 is larger than 4294967295");
        badRequest(() -> Params.u32("rel", "-1"), "rel: expected an unsigned 32-bit number, got '-1'");
        badRequest(() -> Params.u32("rel", "12345678901"), "rel: expected");
        badRequest(() -> Params.u32("db", ""), "db: expected");
        badRequest(() -> Params.u32("db", null), "db: expected");
        badRequest(() -> Params.u32("spc", "1e3"), "spc: expected");
    }
}
