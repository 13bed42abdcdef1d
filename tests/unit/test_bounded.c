/* test_bounded.c -- of_bounded_run (D-KAF-13): a call that returns in time is waited for; one that does not is left
 * running and the caller goes on before it ends. No test here asserts how long anything took. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <time.h>
#include "of_bounded.h"

static _Atomic int ran;

static void quick(void *arg) {
    atomic_store(&ran, *(int *)arg);
}

static void nap_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

Test(bounded, d_kaf_13_a_call_that_returns_in_time_is_waited_for) {
    int v = 7;
    atomic_store(&ran, 0);
    cr_assert_eq(of_bounded_run(quick, &v, 10000), 1);
    cr_assert_eq(atomic_load(&ran), 7, "its effect is there when the call returns");
}

static _Atomic int released, finished;

static void stuck(void *arg) {
    (void)arg;
    while (!atomic_load(&released)) /* held until the test lets it go: a teardown waiting on a peer */
        nap_ms(5);
    atomic_store(&finished, 1);
}

Test(bounded, d_kaf_13_a_call_that_does_not_return_is_left_running_and_the_caller_goes_on) {
    atomic_store(&released, 0);
    atomic_store(&finished, 0);
    cr_assert_eq(of_bounded_run(stuck, NULL, 50), 0, "not in time");
    cr_assert_eq(atomic_load(&finished), 0, "the caller went on while the call was still running");
    atomic_store(&released, 1); /* it ends later, on its own thread, and frees what it shares */
    for (int i = 0; i < 2000 && !atomic_load(&finished); i++)
        nap_ms(5);
    cr_assert_eq(atomic_load(&finished), 1);
    nap_ms(50); /* its last release, after its flag */
}

Test(bounded, d_kaf_13_many_calls_each_waited_for) {
    for (int i = 1; i <= 200; i++) {
        atomic_store(&ran, 0);
        cr_assert_eq(of_bounded_run(quick, &i, 10000), 1);
        cr_assert_eq(atomic_load(&ran), i);
    }
}
