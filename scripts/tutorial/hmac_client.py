# The tutorials' client with the client check, from
# ../shared/seeds/002_f1229b7f0f4afd14.txt: it answers the server's 32-byte challenge
# with hmac.new(secret_key, msg).digest(), then sends each line typed, framed by a 4-byte
# struct.pack('i') length, and prints the reply before reading the next line.
#
# As in the tutorial, except (each marked "chat:"):
# - the port may be given as the first argument (the tests use a free port); the default
#   is the tutorial's 8080.
# - hmac.new(..., digestmod='md5'): Python 3.8 and later refuse hmac.new without a
#   digestmod (TypeError); the tutorial was written for Python 2, whose default was MD5.
# - the length is that of the UTF-8 bytes sent, not len(msg), the number of characters:
#   with anything but ASCII (Chinese, say) the tutorial's header is too short.
# - the reply is read framed (4-byte length, then that many bytes), as hmac_server.py now
#   sends it, instead of one bare recv(1024).
# Talks with: chat --listen 127.0.0.1:8080 --framing tutorial --secret 'wan yifei'
from socket import  *
import struct
import hmac,os
import sys

ip_port = ('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8080)  # chat: port from argv
buff = 1024

tcp_client = socket(AF_INET, SOCK_STREAM)
tcp_client.connect(ip_port)


secret_key = b'wan yifei'

def conn_auth(conn):
    '''
    认证客户端链接
    :param conn:
    :return:
    '''

    print('开始认证客户端的合法性')
    msg = conn.recv(32)
    h = hmac.new(secret_key,msg,digestmod='md5')   # 加盐  # chat: digestmod
    digest = h.digest()
    conn.sendall(digest)

conn_auth(tcp_client)

while True:
    msg = input('=====>')
    if not msg:
        continue
    length = len(msg.encode('utf-8'))  # chat: was len(msg), characters rather than bytes
    length_data = struct.pack('i',length)      # 将消息长度信息包装成4个字节的字节流形式
    tcp_client.send(length_data)
    tcp_client.send(msg.encode('utf-8'))                        # 这样发送两个发送是粘包在一起的,但是接收时已经考虑到这个问题,不怕
    print('发出去的数据是:',msg)
    length_data = tcp_client.recv(4)  # chat: the reply is framed, read its length
    length = struct.unpack('i',length_data)[0]  # chat
    data = b''  # chat
    while len(data) < length:  # chat
        data += tcp_client.recv(length - len(data))  # chat
    print('收到的数据是: ',data.decode('utf8'))
