# The tutorials' "简洁版本" client, from ../shared/seeds/002_f1229b7f0f4afd14.txt: it
# sends each line typed, framed by a 4-byte struct.pack('i') length. It never reads.
#
# As in the tutorial, except (each marked "chat:"):
# - the port may be given as the first argument (the tests use a free port); the default
#   is the tutorial's 8001.
# - the length is that of the UTF-8 bytes sent, not len(msg), the number of characters:
#   with anything but ASCII (Chinese, say) the tutorial's header is too short, and the
#   receiver reads the rest of the text as the next header.
# Talks with: chat --listen 127.0.0.1:8001 --framing tutorial
from socket import  *
import struct
import sys
# 简洁版本

ip_port = ('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8001)  # chat: port from argv
buff = 1024

tcp_client = socket(AF_INET, SOCK_STREAM)
tcp_client.connect(ip_port)

while True:
    msg = input('=====>')
    if not msg:
        continue
    length = len(msg.encode('utf-8'))  # chat: was len(msg), characters rather than bytes
    length_data = struct.pack('i',length)      # 将消息长度信息包装成4个字节的字节流形式
    tcp_client.send(length_data)
    tcp_client.send(msg.encode('utf-8'))                        # 这样发送两个发送是粘包在一起的,但是接收时已经考虑到这个问题,不怕
    print('发出去的数据是:',msg)
