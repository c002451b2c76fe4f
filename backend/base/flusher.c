/* Background writeback of one filesystem: a thread that calls syncfs()
 * each time the writer says enough new data is dirty, so that the disk
 * writes while the writer goes on producing (as pre-copy does), and the
 * writer's own final syncfs finds little left.  Without it the kernel
 * starts writeback only past dirty_background_ratio (GiBs on a large
 * host): extraction then runs first and the disk second. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "base/util.h"

struct util_flusher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int fd;
	bool pending, stop;
	unsigned rounds; /* syncfs calls made, for tests */
};

static void *flusher_main(void *arg)
{
	struct util_flusher *f = arg;
	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (!f->pending && !f->stop)
			pthread_cond_wait(&f->wake, &f->lock);
		if (!f->pending)
			break; /* stopped, and no kick left unanswered */
		f->pending = false;
		pthread_mutex_unlock(&f->lock);
		/* Errors are the final syncfs's to report: it sees them too. */
		(void)syncfs(f->fd);
		pthread_mutex_lock(&f->lock);
		f->rounds++;
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

struct util_flusher *util_flusher_start(int fd)
{
	struct util_flusher *f = xcalloc(1, sizeof(*f));
	f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (f->fd < 0) {
		free(f);
		return NULL;
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->wake, NULL);
	if (!util_thread_start(&f->thread, flusher_main, f)) {
		pthread_cond_destroy(&f->wake);
		pthread_mutex_destroy(&f->lock);
		close(f->fd);
		free(f);
		return NULL;
	}
	return f;
}

void util_flusher_kick(struct util_flusher *f)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	f->pending = true;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->lock);
}

unsigned util_flusher_stop(struct util_flusher *f)
{
	if (f == NULL)
		return 0;
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	unsigned rounds = f->rounds;
	pthread_cond_destroy(&f->wake);
	pthread_mutex_destroy(&f->lock);
	close(f->fd);
	free(f);
	return rounds;
}
