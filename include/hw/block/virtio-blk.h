/*
 * virtio-blk.h — virtio block device (virtio 1.1 §5.2) on a raw image file.
 */
#ifndef HW_BLOCK_VIRTIO_BLK_H
#define HW_BLOCK_VIRTIO_BLK_H

#include <stdbool.h>

#include "hw/virtio/virtio.h"

#define VIRTIO_ID_BLOCK 2

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20

/*
 * Open a raw image (O_RDWR, or O_RDONLY when readonly) and make a device;
 * on a missing, unreadable or unwritable image print one error line and
 * return NULL. id (may be NULL) is what GET_ID reports.
 */
VirtIODevice *virtio_blk_new(AddressSpace *as, const char *path, bool readonly,
                             const char *id);

#endif
