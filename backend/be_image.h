/* Public API of the image store (images/<name>.json, layers). */
#ifndef BE_IMAGE_H
#define BE_IMAGE_H

#endif
